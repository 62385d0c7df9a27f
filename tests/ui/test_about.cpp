/// Help > About Medulla: the menu bar's last menu opens a message box with
/// the version report of the running studio: the Qt and VTK it has loaded
/// (qVersion(), vtkVersion) rather than the build-time versions the CLI
/// prints, and one line per library. Saves about.png.

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QTimer>
#include <QtTest>

#include <vtkVersion.h>

#include "engine/services/VersionReport.h"
#include "tests/ui/UiTestSupport.h"
#include "ui/MainWindow.h"
#include "ui/views/VolumeView.h"

using namespace medulla;
using namespace medulla::ui;

class TestAbout : public QObject {
    Q_OBJECT

    /// The action of menu `menuTitle` whose text (without '&') is `text`.
    static QAction* menuAction(QMenuBar* bar, const QString& menuTitle, const QString& text) {
        for (QAction* m : bar->actions()) {
            if (!m->menu() || QString(m->text()).remove('&') != menuTitle)
                continue;
            for (QAction* a : m->menu()->actions())
                if (QString(a->text()).remove('&') == text)
                    return a;
        }
        return nullptr;
    }

private Q_SLOTS:
    void aboutShowsRuntimeVersions() {
        MainWindow window;
        window.resize(900, 600);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAction* about = menuAction(window.menuBar(), "Help", "About Medulla");
        QVERIFY2(about, "no Help > About Medulla in the menu bar");

        QString shown, title;
        bool sawBox = false;
        // the box is modal: read it, take its picture and close it from the
        // event loop (polled until it is up)
        QTimer poll;
        poll.setInterval(20);
        connect(&poll, &QTimer::timeout, this, [&] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box || !box->isVisible())
                return;
            poll.stop();
            sawBox = true;
            title = box->windowTitle();
            shown = box->text();
            test::saveScreenshot(box, "about.png");
            box->accept();
        });
        poll.start();
        about->trigger();
        QVERIFY2(sawBox, "About Medulla opened no message box");
        QCOMPARE(title, QString("About Medulla"));

        const QStringList lines = shown.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 7);
        QCOMPARE(lines[0], QString("medulla %1").arg(QString::fromStdString(medullaVersion())));
        QVERIFY2(lines[1].startsWith("LibTorch "), qPrintable(lines[1]));
        QVERIFY2(lines[1].contains(" GPU"), qPrintable(lines[1])); // says how many GPUs
        QVERIFY2(lines[2].startsWith("ITK 5."), qPrintable(lines[2]));
        // the loaded libraries, unlabelled (the CLI says "(medulla-studio)")
        QCOMPARE(lines[3], QString("VTK %1").arg(vtkVersion::GetVTKVersion()));
        QVERIFY2(lines[4].startsWith("DCMTK 3."), qPrintable(lines[4]));
        QCOMPARE(lines[5], QString("Qt %1").arg(qVersion()));
        QVERIFY2(lines[6].startsWith("build "), qPrintable(lines[6]));
    }
};

int main(int argc, char** argv) {
    VolumeView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestAbout t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_about.moc"
