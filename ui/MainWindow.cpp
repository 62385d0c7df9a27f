#include "ui/MainWindow.h"

#include "ui/LaunchTarget.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QStatusBar>
#include <QTabWidget>
#include <QThreadPool>

#include "engine/core/Error.h"
#include "engine/io/ImageLoader.h"
#include "engine/services/StudyBrowsing.h"
#include "ui/StudioVersion.h"
#include "ui/bridge/Background.h"
#include "ui/bridge/TrainingController.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/panels/DatasetPanel.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/panels/GuideDock.h"
#include "ui/panels/PipelineEditor.h"
#include "ui/panels/ResultsPanel.h"
#include "ui/panels/StudyBrowser.h"
#include "ui/panels/TrainingMonitor.h"
#include "ui/views/SliceView.h"
#include "ui/views/ViewerWidget.h"
#include "ui/views/VolumeView.h"

namespace medulla::ui {
namespace {

/// Run `work` on the global thread pool; deliver its result (or its error
/// message) on the GUI thread to `receiver`, if it still exists.
template <class Work, class Done, class Fail>
void loadInBackground(QObject* receiver, Work work, Done done, Fail fail) {
    QPointer<QObject> guard(receiver);
    medulla::ui::runInBackground([guard, work, done, fail] {
        try {
            auto result = work();
            QMetaObject::invokeMethod(
                guard.data(),
                [guard, done, result] {
                    if (guard)
                        done(result);
                },
                Qt::QueuedConnection);
        } catch (const std::exception& e) {
            const QString msg = QString::fromStdString(e.what());
            QMetaObject::invokeMethod(
                guard.data(),
                [guard, fail, msg] {
                    if (guard)
                        fail(msg);
                },
                Qt::QueuedConnection);
        }
    });
}

QString siblingLabel(const QString& imagePath) {
    QFileInfo fi(imagePath);
    if (fi.dir().dirName() != "imagesTr")
        return {};
    const QString candidate = fi.dir().absoluteFilePath("../labelsTr/" + fi.fileName());
    return QFileInfo::exists(candidate) ? QFileInfo(candidate).canonicalFilePath() : QString();
}

/// Read an image for display: float32 CPU, contiguous, converted here on
/// the loading thread so that the views do no heavy work on the GUI thread.
Volume loadForDisplay(const std::string& path) {
    return loadImage(path).toFloatCpu();
}

/// Load an optional file (empty path: an empty Volume).
Volume loadOptional(const std::string& path) {
    return path.empty() ? Volume() : loadForDisplay(path);
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("Medulla Studio"));
    setAcceptDrops(true);
    document_ = new ExperimentDocument(this);
    controller_ = new TrainingController(this);

    browser_ = new StudyBrowser(this);
    auto* dock = new QDockWidget(tr("Studies"), this);
    dock->setObjectName("studiesDock");
    dock->setWidget(browser_);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, dock);

    tabs_ = new QTabWidget(this);
    viewer_ = new ViewerWidget(tabs_);
    dataset_ = new DatasetPanel(document_, tabs_);
    pipeline_ = new PipelineEditor(document_, tabs_);
    experimentPanel_ = new ExperimentPanel(document_, tabs_);
    monitor_ = new TrainingMonitor(controller_, tabs_);
    monitor_->setDocument(document_);
    results_ = new ResultsPanel(tabs_);
    tabs_->addTab(viewer_, tr("Viewer"));
    tabs_->addTab(dataset_, tr("Data"));
    tabs_->addTab(pipeline_, tr("Pipeline"));
    tabs_->addTab(experimentPanel_, tr("Experiment"));
    tabs_->addTab(monitor_, tr("Train"));
    tabs_->addTab(results_, tr("Results"));
    setCentralWidget(tabs_);
    buildMenus();
    connectPanels();
    statusBar()->showMessage(
        tr("Open a folder of studies or drop a NIfTI file; the Data, Pipeline and Experiment "
           "tabs set up training, Train runs it."));
}

MainWindow::~MainWindow() {
    // Background loads hold a guarded pointer to this window; let them end
    // first (a load takes a second or two) so none races the destruction.
    backgroundPool()->waitForDone();
}

void MainWindow::setInteractive(bool interactive) {
    interactive_ = interactive;
    viewer_->setInteractive(interactive);
    browser_->setInteractive(interactive);
    experimentPanel_->setInteractive(interactive);
    monitor_->setInteractive(interactive);
    results_->setInteractive(interactive);
}

SliceView* MainWindow::sliceView(int axis) const {
    // axis: the voxel axis held fixed (0 sagittal, 1 coronal, 2 axial)
    return viewer_->sliceView(axis == 2   ? ViewerWidget::Axial
                              : axis == 1 ? ViewerWidget::Coronal
                                          : ViewerWidget::Sagittal);
}

VolumeView* MainWindow::volumeView() const {
    return viewer_->volumeView();
}

void MainWindow::showTab(Tab tab) {
    tabs_->setCurrentIndex(int(tab));
}

void MainWindow::connectPanels() {
    connect(browser_, &StudyBrowser::openImageRequested, this,
            [this](const QString& path, const QString& series) {
                if (series.isEmpty())
                    openImage(path);
                else
                    openSeries(path, series);
                showTab(ViewerTab);
            });
    connect(browser_, &StudyBrowser::openDatasetRequested, this, [this](const QString& json) {
        Json data = document_->section("data");
        if (!data.is_object())
            data = Json::object();
        data["dataset"] = json.toStdString();
        data.erase("synthetic");
        data.erase("validation_key");
        document_->setSection("data", data);
        showTab(DataTab);
    });
    connect(dataset_, &DatasetPanel::caseActivated, this,
            [this](const QString& image, const QString& label) {
                openImage(image, label);
                showTab(ViewerTab);
            });
    connect(controller_, &TrainingController::predictionReady, this, &MainWindow::onPrediction);
    connect(monitor_, &TrainingMonitor::runFinished, this, &MainWindow::onRunFinished);
    connect(results_, &ResultsPanel::caseSelected, this,
            [this](const QString& image, const QString& label, const QString& prediction) {
                openResult(image, label, prediction);
                showTab(ViewerTab);
            });
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open image..."), QKeySequence::Open, this, [this] {
        const QString p = QFileDialog::getOpenFileName(
            this, tr("Open image"), QString(), tr("Images (*.nii *.nii.gz *.dcm);;All files (*)"));
        if (!p.isEmpty())
            openImage(p);
    });
    file->addAction(tr("Open &folder..."), this, [this] { browser_->openFolderDialog(); });
    file->addAction(tr("Open &label overlay..."), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open label map"), QString(),
                                                       tr("NIfTI (*.nii *.nii.gz);;All files (*)"));
        if (!p.isEmpty())
            openLabel(p);
    });
    file->addSeparator();
    file->addAction(tr("Open &experiment..."), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open experiment"), QString(),
                                                       tr("Experiment (*.json)"));
        if (!p.isEmpty())
            loadExperiment(p);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* train = menuBar()->addMenu(tr("&Training"));
    train->addAction(tr("&Train"), this, &MainWindow::startTraining);
    train->addAction(tr("&Cancel"), this, &MainWindow::cancelTraining);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList names{tr("&Viewer"),     tr("&Data"),  tr("&Pipeline"),
                            tr("&Experiment"), tr("&Train"), tr("&Results")};
    for (int i = 0; i < names.size(); ++i)
        view->addAction(names[i], QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)), this,
                        [this, i] { showTab(Tab(i)); });
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Demo workspace and guided tour..."), this,
                    [this] { GuideDock::of(this)->showWelcome(); });
    help->addSeparator();
    help->addAction(tr("&About Medulla"), this, [this] {
        QMessageBox box(QMessageBox::Information, tr("About Medulla"),
                        QString::fromStdString(studioVersionText()), QMessageBox::Ok, this);
        box.setTextFormat(Qt::PlainText);
        box.setTextInteractionFlags(Qt::TextSelectableByMouse); // to paste into a bug report
        box.exec();
    });
}

void MainWindow::openImage(const QString& path, const QString& labelPath) {
    statusBar()->showMessage(tr("Loading %1...").arg(path));
    const quint64 generation = ++imageGeneration_; // later requests win
    const QString label = labelPath.isEmpty() ? siblingLabel(path) : labelPath;
    struct Loaded {
        Volume image, label;
    };
    const std::string p = path.toStdString(), l = label.toStdString();
    loadInBackground(
        this,
        [p, l] {
            Loaded r{loadForDisplay(p), loadOptional(l)};
            if (r.label.isValid() && r.label.spatialShape() != r.image.spatialShape())
                throw IoError("the label's size differs from the image's", l);
            return r;
        },
        [this, path, label, generation](const Loaded& r) {
            if (generation != imageGeneration_)
                return; // superseded by a newer image
            showImage(r.image, path);
            if (r.label.isValid()) {
                showOverlay(r.label);
                Q_EMIT labelLoaded(label);
            }
        },
        [this](const QString& msg) { showError(msg); });
}

void MainWindow::openSeries(const QString& folder, const QString& seriesLabel) {
    statusBar()->showMessage(tr("Loading series %1...").arg(seriesLabel));
    const quint64 generation = ++imageGeneration_;
    const std::string f = folder.toStdString(), s = seriesLabel.toStdString();
    loadInBackground(
        this, [f, s] { return loadSeries(f, s).toFloatCpu(); },
        [this, folder, generation](const Volume& v) {
            if (generation == imageGeneration_)
                showImage(v, folder);
        },
        [this](const QString& msg) { showError(msg); });
}

void MainWindow::openLabel(const QString& path) {
    const quint64 generation = imageGeneration_;
    const std::string p = path.toStdString();
    loadInBackground(
        this, [p] { return loadForDisplay(p); },
        [this, path, generation](const Volume& v) {
            if (generation != imageGeneration_)
                return; // the image it belonged to was replaced
            if (image_.isValid() && v.spatialShape() != image_.spatialShape()) {
                showError(tr("%1: label size does not match the open image").arg(path));
                return;
            }
            showOverlay(v);
            Q_EMIT labelLoaded(path);
        },
        [this](const QString& msg) { showError(msg); });
}

void MainWindow::openResult(const QString& image, const QString& label, const QString& prediction) {
    const quint64 generation = ++imageGeneration_;
    struct Loaded {
        Volume image, label, prediction;
    };
    const std::string i = image.toStdString(), l = label.toStdString(),
                      p = prediction.toStdString();
    loadInBackground(
        this,
        [i, l, p] {
            Loaded r{loadForDisplay(i), loadOptional(l), loadOptional(p)};
            for (const auto& [v, file] : {std::pair{&r.label, l}, std::pair{&r.prediction, p}})
                if (v->isValid() && v->spatialShape() != r.image.spatialShape())
                    throw IoError("its size differs from the image's " + i, file);
            return r;
        },
        [this, image, prediction, generation](const Loaded& r) {
            if (generation != imageGeneration_)
                return;
            showImage(r.image, image);
            if (r.label.isValid())
                showOverlay(r.label);
            prediction_ = r.prediction;
            viewer_->setPrediction(r.prediction);
            Q_EMIT resultShown(prediction);
        },
        [this](const QString& msg) { showError(msg); });
}

void MainWindow::showImage(const Volume& image, const QString& path) {
    image_ = image;
    overlay_ = Volume();
    prediction_ = Volume();
    viewer_->setImage(image, QFileInfo(path).fileName());
    statusBar()->showMessage(QString("%1: %2").arg(QFileInfo(path).fileName(),
                                                   QString::fromStdString(image.describe())));
    Q_EMIT volumeLoaded(path);
}

void MainWindow::showOverlay(const Volume& label) {
    overlay_ = label;
    viewer_->setLabel(label);
}

void MainWindow::showError(const QString& message) {
    statusBar()->showMessage(message);
    Q_EMIT loadFailed(message);
    if (interactive_)
        QMessageBox::warning(this, tr("Medulla"), message);
    else
        qWarning("%s", qPrintable(message));
}

bool MainWindow::loadExperiment(const QString& path) {
    QString error;
    if (!document_->load(path, &error)) {
        showError(error);
        return false;
    }
    statusBar()->showMessage(tr("Experiment %1 loaded").arg(path));
    return true;
}

void MainWindow::startTraining() {
    showTab(TrainTab);
    monitor_->startRun();
}

void MainWindow::cancelTraining() {
    monitor_->cancelRun();
}

void MainWindow::onPrediction(const PredictionEvent& e) {
    ++imageGeneration_; // pending loads must not replace the prediction
    showImage(e.image, QString::fromStdString(e.caseName));
    showOverlay(e.label);
    prediction_ = e.prediction;
    viewer_->setPrediction(e.prediction);
    statusBar()->showMessage(tr("Prediction of the best model for %1: Dice %2 (saved to %3)")
                                 .arg(QString::fromStdString(e.caseName))
                                 .arg(e.dice, 0, 'f', 4)
                                 .arg(QString::fromStdString(e.file)));
    Q_EMIT predictionShown(e.dice);
}

void MainWindow::onRunFinished(const QString& runDir, JobState state) {
    if (state == JobState::Failed) {
        showError(tr("Training failed: %1").arg(monitor_->errorText()));
        return;
    }
    statusBar()->showMessage(tr("Training %1. Results in %2").arg(toString(state)).arg(runDir));
    if (state == JobState::Completed) {
        results_->setExperimentFile(runDir + "/experiment.json");
        results_->setModel(runDir);
    }
}

void MainWindow::openPath(const QString& path) {
    const LaunchTarget target = LaunchTarget::fromArgument(path);
    if (target.kind() == LaunchTarget::Kind::Browse)
        browser_->openPath(target.path());
    else
        openImage(target.path());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls())
        e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    const auto urls = e->mimeData()->urls();
    if (urls.isEmpty())
        return;
    const QString path = urls.first().toLocalFile();
    if (e->modifiers() & Qt::ShiftModifier)
        openLabel(path);
    else
        openPath(path);
    e->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (controller_->isRunning())
        controller_->cancel();
    e->accept();
}

} // namespace medulla::ui
