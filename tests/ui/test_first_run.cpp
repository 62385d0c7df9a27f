/// The studio's first start (issue 11, item 2), clicked through like a new
/// user: the welcome appears on the first start only; "Open the demo
/// workspace" writes the workspace, generates its synthetic dataset off the
/// GUI thread and lists it with the real sample volumes installed on this
/// machine in the Studies browser; the guide's three steps (look at a case,
/// train, look at the result) each end with their tick. QSettings and the
/// workspace folder are the test's own. Saves the user guide's
/// first-run-*.png into <build>/screenshots. Runs under Xvfb (see README).

#include <QCheckBox>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeView>

#include <set>

#include "UiTestSupport.h"
#include "engine/core/Error.h"
#include "engine/services/DemoWorkspace.h"
#include "engine/services/SampleVolumes.h"
#include "ui/MainWindow.h"
#include "ui/model/CaseResultsModel.h"
#include "ui/model/CaseTableModel.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/model/StudyTreeModel.h"
#include "ui/panels/DatasetPanel.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/panels/GuideDock.h"
#include "ui/panels/GuidePanel.h"
#include "ui/panels/ResultsPanel.h"
#include "ui/panels/StudyBrowser.h"
#include "ui/panels/TrainingMonitor.h"
#include "ui/panels/TrainingSection.h"
#include "ui/panels/WelcomePage.h"
#include "ui/views/SliceView.h"
#include "ui/views/VolumeView.h"
#include "ui/widgets/ParamForm.h"

using namespace medulla;
using namespace medulla::ui;
using namespace medulla::ui::test;

namespace {

const QString kMricron = "/usr/share/mricron/templates/";
const QString kItk = "/usr/share/doc/insighttoolkit5-examples/examples/Data/";
const QString kPydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/";

/// The sample volumes of shared/DATA.md the studio offers, as DATA.md names
/// them (images and their label maps), kept to those on this machine.
QStringList existing(const QStringList& paths) {
    QStringList out;
    for (const QString& p : paths)
        if (QFileInfo::exists(p))
            out << QFileInfo(p).canonicalFilePath();
    return out;
}

/// Every item of `kind` ("nifti", "series", "dataset") in the browser's tree.
QStringList itemPaths(const QAbstractItemModel* model, const QString& kind,
                      const QModelIndex& parent = {}) {
    QStringList out;
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex i = model->index(r, 0, parent);
        if (i.data(StudyTreeModel::KindRole).toString() == kind)
            out << i.data(StudyTreeModel::PathRole).toString();
        out << itemPaths(model, kind, i);
    }
    return out;
}

QModelIndex findItem(const QAbstractItemModel* model, const QString& path,
                     const QModelIndex& parent = {}) {
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex i = model->index(r, 0, parent);
        if (i.data(StudyTreeModel::PathRole).toString() == path)
            return i;
        const QModelIndex below = findItem(model, path, i);
        if (below.isValid())
            return below;
    }
    return {};
}

/// Pixels of the guide's "done" green (the tick badge).
int greenPixels(const QImage& img) {
    int n = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QRgb p = img.pixel(x, y);
            n += (qAlpha(p) > 200 && qGreen(p) > qRed(p) + 60 && qGreen(p) > qBlue(p) + 40) ? 1 : 0;
        }
    return n;
}

/// Help > Demo workspace and guided tour.
QAction* helpAction(MainWindow* window) {
    for (QAction* menu : window->menuBar()->actions())
        if (menu->menu() && menu->text() == "&Help")
            for (QAction* a : menu->menu()->actions())
                if (a->text().startsWith("&Demo workspace"))
                    return a;
    return nullptr;
}

int badgeGreen(GuidePanel* guide, GuidePanel::Step step) {
    return greenPixels(guide->badge(step)->pixmap().toImage());
}

} // namespace

class TestFirstRun : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    QString workspace_;
    MainWindow* window_ = nullptr;
    GuideDock* dock_ = nullptr;
    int numCases_ = 0;

    void shoot(const QString& name) {
        QTest::qWait(250); // let queued paints land
        const QImage img = saveScreenshot(window_, name);
        QVERIFY2(litFraction(img) > 0.05, qPrintable(name));
        QVERIFY2(colourCount(img) > 20, qPrintable(name));
    }
    GuidePanel* guide() const { return dock_->guidePanel(); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        // settings of our own, empty: this is a first start
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("medulla-test-first-run");
        QCoreApplication::setApplicationName("medulla-studio");
        QSettings().clear();
        QSettings().sync();
        workspace_ = tmp_.path() + "/my workspace";
        qputenv("MEDULLA_WORKSPACE_DIR", workspace_.toUtf8());
        GuideDock::setDemoExperimentFile(QString(MEDULLA_SOURCE_DIR) +
                                         "/resources/demo_experiment.json");
        window_ = new MainWindow;
        window_->setInteractive(false);
        window_->resize(1500, 950);
        window_->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_));
        // what main() does before it offers the welcome
        QVERIFY(window_->loadExperiment(GuideDock::demoExperimentFile()));
    }

    void welcomeOnTheFirstStart() {
        QVERIFY(!window_->findChild<GuideDock*>()); // a MainWindow alone shows nothing
        QVERIFY(GuideDock::offerOnFirstStart(window_));
        dock_ = window_->findChild<GuideDock*>();
        QVERIFY(dock_);
        QCOMPARE(GuideDock::of(window_), dock_);
        QTRY_VERIFY(dock_->isShowingWelcome());
        QCOMPARE(dock_->workspaceDir(), workspace_);
        WelcomePage* welcome = dock_->welcomePage();
        QVERIFY(welcome->openDemoButton()->isVisible());
        QVERIFY(welcome->startEmptyButton()->isVisible());
        QCOMPARE(welcome->openDemoButton()->text(), QString("Open the demo workspace"));
        QCOMPARE(welcome->startEmptyButton()->text(), QString("Start empty"));
        // the installed samples are named (mricron-data is a test dependency)
        QVERIFY(QFile::exists(kMricron + "ch2.nii.gz"));
        QVERIFY2(welcome->samplesLabel()->text().contains("Colin27"),
                 qPrintable(welcome->samplesLabel()->text()));
        QVERIFY(QSettings().value(GuideDock::firstRunKey()).toBool());
        QVERIFY(!welcome->showAtStartBox()->isChecked());
        shoot("first-run-welcome.png");
    }

    void notOnTheSecondStart() {
        {
            MainWindow second;
            QVERIFY(!GuideDock::offerOnFirstStart(&second));
            QVERIFY(!second.findChild<GuideDock*>());
            // still there from the Help menu
            QAction* action = helpAction(&second);
            QVERIFY(action);
            action->trigger();
            QVERIFY(second.findChild<GuideDock*>());
            QVERIFY(GuideDock::of(&second)->isShowingWelcome());
        }
        // "Show this page when the studio starts" asks for it again ...
        QCheckBox* box = dock_->welcomePage()->showAtStartBox();
        QTest::mouseClick(box, Qt::LeftButton, Qt::NoModifier, QPoint(8, box->height() / 2));
        QVERIFY(box->isChecked());
        QVERIFY(!QSettings().value(GuideDock::firstRunKey()).toBool());
        {
            MainWindow third;
            QVERIFY(GuideDock::offerOnFirstStart(&third));
            QVERIFY(GuideDock::of(&third)->isShowingWelcome());
        }
        // ... and that start set the key again
        QVERIFY(QSettings().value(GuideDock::firstRunKey()).toBool());
        // unticking the box (as shown again) marks the first run done
        QSettings().setValue(GuideDock::firstRunKey(), false);
        QTest::mouseClick(box, Qt::LeftButton, Qt::NoModifier, QPoint(8, box->height() / 2));
        QVERIFY(!box->isChecked());
        QVERIFY(QSettings().value(GuideDock::firstRunKey()).toBool());
    }

    void unwritableWorkspaceIsNamed() {
        // a workspace folder inside a regular file cannot be made
        QFile blocker(tmp_.path() + "/not-a-folder");
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const QString bad = blocker.fileName() + "/workspace";
        qputenv("MEDULLA_WORKSPACE_DIR", bad.toUtf8());
        QTest::mouseClick(dock_->welcomePage()->openDemoButton(), Qt::LeftButton);
        qputenv("MEDULLA_WORKSPACE_DIR", workspace_.toUtf8());
        QVERIFY2(dock_->errorText().contains("Cannot open the demo workspace"),
                 qPrintable(dock_->errorText()));
        QVERIFY2(dock_->errorText().contains(blocker.fileName()), qPrintable(dock_->errorText()));
        QVERIFY(dock_->isShowingWelcome()); // still offered, nothing half made
        QVERIFY(!QFileInfo::exists(bad));
    }

    void openTheDemoWorkspace() {
        DatasetPanel* data = window_->datasetPanel();
        QSignalSpy loaded(data, &DatasetPanel::casesLoaded);
        QSignalSpy scanned(window_->studyBrowser(), &StudyBrowser::scanFinished);
        QTest::mouseClick(dock_->welcomePage()->openDemoButton(), Qt::LeftButton);
        QCOMPARE(dock_->errorText(), QString());
        QVERIFY(dock_->isVisible());
        QVERIFY(!dock_->isShowingWelcome()); // the guide now
        QVERIFY(guide()->isVisible());

        // the workspace's experiment: the demo's, with absolute paths in it
        ExperimentDocument* doc = window_->document();
        QCOMPARE(doc->path(), workspace_ + "/experiment.json");
        QVERIFY(QFile::exists(workspace_ + "/experiment.json"));
        const Json dataSection = doc->section("data");
        const QString dataset = QString::fromStdString(dataSection["dataset"].get<std::string>());
        QCOMPARE(dataset, workspace_ + "/studies/demo-spheres/dataset.json");
        QCOMPARE(QString::fromStdString(doc->section("output_dir").get<std::string>()),
                 workspace_ + "/runs");
        numCases_ = dataSection["synthetic"]["num_cases"].get<int>();
        QCOMPARE(numCases_, 16); // the built-in demo's

        // generated on a worker, with the Data tab's progress bar
        QCOMPARE(window_->tabs()->currentIndex(), int(MainWindow::DataTab));
        QVERIFY(data->isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 120000);
        QVERIFY2(loaded.last().at(0).toBool(), qPrintable(loaded.last().at(1).toString()));
        QVERIFY(QFile::exists(dataset));
        QCOMPARE(data->model()->rowCount(), numCases_);
        QCOMPARE(data->model()->flaggedCount(), 0);
        for (const CaseInfo& c : data->model()->cases()) {
            QVERIFY2(QFile::exists(QString::fromStdString(c.image)), c.image.c_str());
            QVERIFY2(QFile::exists(QString::fromStdString(c.label)), c.label.c_str());
            QVERIFY(QString::fromStdString(c.image).startsWith(workspace_ + "/studies/"));
        }
        QVERIFY2(guide()->headerText().contains(QString::number(numCases_)),
                 qPrintable(guide()->headerText()));

        // the Studies browser: the synthetic dataset and the sample volumes
        // of DATA.md that this machine has, nothing else
        QTRY_COMPARE_WITH_TIMEOUT(scanned.count(), 1, 60000);
        QVERIFY2(scanned.at(0).at(0).toBool(), qPrintable(scanned.at(0).at(1).toString()));
        StudyBrowser* browser = window_->studyBrowser();
        QCOMPARE(browser->currentPath(), workspace_ + "/studies");
        const StudyTreeModel* tree = browser->model();
        QCOMPARE(itemPaths(tree, "dataset"), QStringList{dataset});

        const QStringList niftiExpected = existing(
            {kMricron + "ch2.nii.gz", kMricron + "aal.nii.gz", kMricron + "inia19-t1-brain.nii.gz",
             kMricron + "inia19-NeuroMaps.nii.gz", kItk + "KmeansTest_T1UCharRaw.nii.gz",
             kItk + "KmeansTest_T1KmeansPrelimSegmentation.nii.gz"});
        QVERIFY(niftiExpected.contains(QFileInfo(kMricron + "aal.nii.gz").canonicalFilePath()));
        QStringList niftiListed;
        for (const QString& p : itemPaths(tree, "nifti")) {
            QVERIFY2(p.startsWith(workspace_ + "/studies/samples/"), qPrintable(p));
            niftiListed << QFileInfo(p).canonicalFilePath(); // the link's target
        }
        niftiListed.sort();
        QStringList niftiWanted = niftiExpected;
        niftiWanted.sort();
        QCOMPARE(niftiListed, niftiWanted);
        QCOMPARE(tree->niftiCount(), niftiWanted.size());

        // DICOM: every listed series' files are those of a DATA.md folder
        const QStringList dicomExpected =
            existing({kPydicom + "98892001/CT5N", kPydicom + "98892003/MR700"});
        std::set<QString> dicomListed;
        for (const QString& folder : itemPaths(tree, "series")) {
            QVERIFY2(folder.startsWith(workspace_ + "/studies/samples/"), qPrintable(folder));
            QDirIterator files(folder, QDir::Files);
            QVERIFY(files.hasNext());
            while (files.hasNext())
                dicomListed.insert(
                    QFileInfo(QFileInfo(files.next()).canonicalFilePath()).absolutePath());
        }
        QCOMPARE(QStringList(dicomListed.begin(), dicomListed.end()), dicomExpected);
        QCOMPARE(dock_->samplePaths().size(), niftiWanted.size() + dicomExpected.size());

        // a sample opens with its label map: Colin27 with the AAL atlas
        const QString ch2 = workspace_ + "/studies/samples/mricron-data/imagesTr/ch2.nii.gz";
        const QModelIndex item = findItem(tree, ch2);
        QVERIFY(item.isValid());
        QSignalSpy label(window_, &MainWindow::labelLoaded);
        QTreeView* view = browser->view();
        view->scrollTo(item);
        const QPoint at = view->visualRect(item).center();
        QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, at);
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, at);
        QTRY_COMPARE_WITH_TIMEOUT(label.count(), 1, 60000);
        QCOMPARE(QFileInfo(label.at(0).at(0).toString()).canonicalFilePath(),
                 QFileInfo(kMricron + "aal.nii.gz").canonicalFilePath());
        QCOMPARE(window_->image().spatialShape(), (std::vector<int64_t>{181, 217, 181}));
        QCOMPARE(window_->overlay().spatialShape(), window_->image().spatialShape());
    }

    void stepOneLookAtACase() {
        GuidePanel* g = guide();
        QVERIFY(!g->isDone(GuidePanel::LookAtCase));
        QCOMPARE(badgeGreen(g, GuidePanel::LookAtCase), 0);
        QTRY_VERIFY(g->stepButton(GuidePanel::LookAtCase)->isEnabled());
        const CaseTableModel* cases = window_->datasetPanel()->model();
        int first = 0;
        while (cases->caseAt(first).validation)
            ++first;
        const CaseInfo c = cases->caseAt(first);
        QSignalSpy shown(window_, &MainWindow::volumeLoaded);
        QSignalSpy done(g, &GuidePanel::stepDone);
        QTest::mouseClick(g->stepButton(GuidePanel::LookAtCase), Qt::LeftButton);
        QCOMPARE(window_->tabs()->currentIndex(), int(MainWindow::ViewerTab));
        QTRY_VERIFY_WITH_TIMEOUT(g->isDone(GuidePanel::LookAtCase), 30000);
        QCOMPARE(done.count(), 1);
        QCOMPARE(done.at(0).at(0).toInt(), int(GuidePanel::LookAtCase));
        QCOMPARE(shown.last().at(0).toString(), QString::fromStdString(c.image));
        QTRY_VERIFY(window_->overlay().isValid());
        QCOMPARE(window_->image().spatialShape(), c.imageShape);
        QCOMPARE(window_->image().spatialShape(), (std::vector<int64_t>{64, 64, 64}));
        QCOMPARE(window_->overlay().spatialShape(), window_->image().spatialShape());
        QVERIFY(litFraction(window_->sliceView(2)->renderSlice()) > 0.05);
        QVERIFY(g->statusText(GuidePanel::LookAtCase).contains("64 x 64 x 64"));
        QVERIFY(badgeGreen(g, GuidePanel::LookAtCase) > 50); // the tick
        QCOMPARE(badgeGreen(g, GuidePanel::Train), 0);
        shoot("first-run-1-case.png");
    }

    void shortenTheTraining() {
        // 3 epochs instead of the demo's 20, typed in the Experiment tab (the
        // validation Dice passes 0.7 at the third: a result worth a picture)
        window_->showTab(MainWindow::ExperimentTab);
        ParamForm* trainer = window_->experimentPanel()->trainingSection()->trainerForm();
        auto* epochs = qobject_cast<QSpinBox*>(trainer->editor("max_epochs"));
        QVERIFY(epochs);
        test::retypeSpinBox(epochs, "3");
        QTRY_COMPARE(window_->document()->section("trainer")["max_epochs"].get<int>(), 3);
    }

    void stepTwoTrain() {
        GuidePanel* g = guide();
        QTRY_VERIFY(g->stepButton(GuidePanel::Train)->isEnabled());
        TrainingMonitor* monitor = window_->trainingMonitor();
        QSignalSpy finished(monitor, &TrainingMonitor::runFinished);
        QSignalSpy predicted(window_, &MainWindow::predictionShown);
        QTest::mouseClick(g->stepButton(GuidePanel::Train), Qt::LeftButton);
        QCOMPARE(window_->tabs()->currentIndex(), int(MainWindow::TrainTab));
        QVERIFY2(monitor->errorText().isEmpty(), qPrintable(monitor->errorText()));
        QVERIFY(!g->stepButton(GuidePanel::Train)->isEnabled()); // while it runs
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 240000);
        QCOMPARE(finished.at(0).at(1).value<JobState>(), JobState::Completed);
        const QString runDir = finished.at(0).at(0).toString();
        QVERIFY2(runDir.startsWith(workspace_ + "/runs/run-"), qPrintable(runDir));
        QVERIFY(QFile::exists(runDir + "/best_model.pt"));
        QVERIFY(g->isDone(GuidePanel::Train));
        QVERIFY(badgeGreen(g, GuidePanel::Train) > 50);
        QVERIFY2(g->statusText(GuidePanel::Train).contains("Completed 3 epochs"),
                 qPrintable(g->statusText(GuidePanel::Train)));
        QCOMPARE(monitor->valPointCount(), 3);
        QVERIFY(monitor->lossPointCount() >= 3);
        QTRY_COMPARE_WITH_TIMEOUT(predicted.count(), 1, 60000); // the best model's prediction
        QCOMPARE(window_->tabs()->currentIndex(), int(MainWindow::TrainTab));
        shoot("first-run-2-trained.png");
    }

    void stepThreeLookAtTheResult() {
        GuidePanel* g = guide();
        QTRY_VERIFY(g->stepButton(GuidePanel::LookAtResult)->isEnabled());
        ResultsPanel* results = window_->resultsPanel();
        QSignalSpy evaluated(results, &ResultsPanel::evaluationFinished);
        QSignalSpy shown(window_, &MainWindow::resultShown);
        QTest::mouseClick(g->stepButton(GuidePanel::LookAtResult), Qt::LeftButton);
        QCOMPARE(window_->tabs()->currentIndex(), int(MainWindow::ResultsTab));
        QTRY_COMPARE_WITH_TIMEOUT(evaluated.count(), 1, 120000);
        QVERIFY2(evaluated.at(0).at(2).toString().isEmpty(),
                 qPrintable(evaluated.at(0).at(2).toString()));
        QCOMPARE(evaluated.at(0).at(0).toInt(), 4); // val_fraction 0.25 of 16
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 60000);
        QTRY_VERIFY(g->isDone(GuidePanel::LookAtResult));
        QCOMPARE(window_->tabs()->currentIndex(), int(MainWindow::ViewerTab));
        // the best case's prediction over its ground truth
        double best = -1;
        QString bestPrediction;
        for (const CaseResult& r : results->resultsModel()->results())
            if (r.dice > best) {
                best = r.dice;
                bestPrediction = QString::fromStdString(r.prediction);
            }
        qInfo("best validation Dice after 3 epochs: %.4f", best);
        QVERIFY2(best > 0 && best <= 1, qPrintable(QString::number(best)));
        QCOMPARE(shown.at(0).at(0).toString(), bestPrediction);
        QVERIFY(window_->prediction().isValid());
        QVERIFY(window_->overlay().isValid());
        QCOMPARE(window_->prediction().spatialShape(), window_->image().spatialShape());
        QVERIFY(window_->prediction().data().gt(0).any().item<bool>()); // something predicted
        QVERIFY2(g->statusText(GuidePanel::LookAtResult).contains(QString::number(best, 'f', 4)),
                 qPrintable(g->statusText(GuidePanel::LookAtResult)));
        for (int s = 0; s < GuidePanel::StepCount; ++s) {
            QVERIFY(g->isDone(GuidePanel::Step(s)));
            QVERIFY(badgeGreen(g, GuidePanel::Step(s)) > 50);
        }
        shoot("first-run-3-result.png");
    }

    void reopenFromTheHelpMenu() {
        // the workspace opened again: its dataset and experiment file are
        // kept (nothing generated), the guide starts over
        helpAction(window_)->trigger();
        QVERIFY(dock_->isShowingWelcome());
        DatasetPanel* data = window_->datasetPanel();
        QSignalSpy loaded(data, &DatasetPanel::casesLoaded);
        QSignalSpy scanned(window_->studyBrowser(), &StudyBrowser::scanFinished);
        window_->showTab(MainWindow::TrainTab);
        QTest::mouseClick(dock_->welcomePage()->openDemoButton(), Qt::LeftButton);
        QCOMPARE(dock_->errorText(), QString());
        QVERIFY(!dock_->isShowingWelcome());
        QCOMPARE(window_->tabs()->currentIndex(), int(MainWindow::TrainTab)); // no generation
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 60000);
        QVERIFY(loaded.last().at(0).toBool());
        QCOMPARE(data->model()->rowCount(), numCases_);
        // the file as written (the 3 epochs were an unsaved edit)
        QCOMPARE(window_->document()->section("trainer")["max_epochs"].get<int>(), 20);
        for (int s = 0; s < GuidePanel::StepCount; ++s) {
            QVERIFY(!guide()->isDone(GuidePanel::Step(s)));
            QCOMPARE(badgeGreen(guide(), GuidePanel::Step(s)), 0);
        }
        QTRY_COMPARE_WITH_TIMEOUT(scanned.count(), 1, 60000);
        const int niftiLinks = int(dock_->samplePaths().filter(".nii.gz").size());
        QVERIFY(niftiLinks > 0);
        QCOMPARE(window_->studyBrowser()->model()->niftiCount(), niftiLinks);
    }

    void workspaceFiles() {
        // DemoWorkspace and the sample list on their own (no window)
        const QString root = tmp_.path() + "/fakeroot";
        QVERIFY(QDir().mkpath(root + "/usr/share/mricron/templates"));
        QVERIFY(QDir().mkpath(root + "/usr/lib/python3/dist-packages/pydicom/data/test_files/"
                                     "dicomdirtests/98892001/CT5N"));
        QFile ch2(root + "/usr/share/mricron/templates/ch2.nii.gz");
        QVERIFY(ch2.open(QIODevice::WriteOnly));
        ch2.close();
        const auto known = knownSampleVolumes(root.toStdString());
        QVERIFY(known.size() >= 5);
        const auto installed = installedSampleVolumes(root.toStdString());
        QCOMPARE(installed.size(), size_t(1)); // an empty DICOM folder does not count
        QCOMPARE(QString::fromStdString(installed[0].image), ch2.fileName());
        QVERIFY(installed[0].label.empty()); // aal.nii.gz is not there

        const QString dir = tmp_.path() + "/ws2";
        DemoWorkspace ws(dir.toStdString());
        QVERIFY_THROWS_EXCEPTION(IoError, ws.prepare((root + "/missing.json").toStdString()));
        const Json e = ws.prepare(GuideDock::demoExperimentFile().toStdString());
        QCOMPARE(QString::fromStdString(e["data"]["dataset"].get<std::string>()),
                 dir + "/studies/demo-spheres/dataset.json");
        QVERIFY(!ws.hasDataset());
        QFile f(dir + "/experiment.json");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"name\": \"mine\"}");
        f.close();
        QCOMPARE(ws.prepare(GuideDock::demoExperimentFile().toStdString())["name"], Json("mine"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{ not json");
        f.close();
        try {
            ws.prepare(GuideDock::demoExperimentFile().toStdString());
            QFAIL("an invalid experiment.json was accepted");
        } catch (const IoError& err) {
            QVERIFY2(QString(err.what()).contains("experiment.json"), err.what());
        }
        const auto links = ws.linkSamples(installed);
        QCOMPARE(links.size(), size_t(1));
        QCOMPARE(QFileInfo(QString::fromStdString(links[0])).canonicalFilePath(),
                 QFileInfo(ch2.fileName()).canonicalFilePath());
        QVERIFY(QFile::exists(dir + "/studies/samples/README.txt"));
        QVERIFY(ws.linkSamples({}).empty()); // rebuilt: the old link is gone
        QVERIFY(!QFileInfo::exists(QString::fromStdString(links[0])));
    }

    void cleanupTestCase() {
        delete window_;
        window_ = nullptr;
        QSettings().clear();
    }
};

int main(int argc, char** argv) {
    VolumeView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestFirstRun t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_first_run.moc"
