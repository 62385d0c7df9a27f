#include "ui/MainWindow.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QSplitter>
#include <QStatusBar>
#include <QThreadPool>

#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/io/ImageLoader.h"
#include "ui/bridge/TrainingController.h"
#include "ui/panels/TrainPanel.h"
#include "ui/views/SliceView.h"
#include "ui/views/VolumeView.h"

namespace medulla::ui {
namespace {

/// Run `work` on the global thread pool; deliver its result (or its error
/// message) on the GUI thread to `receiver`, if it still exists.
template <class Work, class Done, class Fail>
void runInBackground(QObject* receiver, Work work, Done done, Fail fail) {
    QPointer<QObject> guard(receiver);
    QThreadPool::globalInstance()->start([guard, work, done, fail] {
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

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("Medulla Studio"));
    setAcceptDrops(true);
    auto* views = new QWidget(this);
    auto* grid = new QGridLayout(views);
    grid->setSpacing(3);
    grid->setContentsMargins(3, 3, 3, 3);
    slices_[2] = new SliceView(2, views);
    slices_[1] = new SliceView(1, views);
    slices_[0] = new SliceView(0, views);
    volumeView_ = new VolumeView(views);
    grid->addWidget(slices_[2], 0, 0);
    grid->addWidget(volumeView_, 0, 1);
    grid->addWidget(slices_[1], 1, 0);
    grid->addWidget(slices_[0], 1, 1);

    trainPanel_ = new TrainPanel(this);
    controller_ = new TrainingController(this);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(views);
    splitter->addWidget(trainPanel_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    setCentralWidget(splitter);
    buildMenus();
    statusBar()->showMessage(tr("Open a NIfTI volume (File > Open or drop it here), then Train."));

    connect(trainPanel_, &TrainPanel::startRequested, this, &MainWindow::startTraining);
    connect(trainPanel_, &TrainPanel::cancelRequested, this, &MainWindow::cancelTraining);
    connect(controller_, &TrainingController::stateChanged, trainPanel_,
            &TrainPanel::onStateChanged);
    connect(controller_, &TrainingController::preparing, trainPanel_, &TrainPanel::onPreparing);
    connect(controller_, &TrainingController::iterations, trainPanel_, &TrainPanel::onIterations);
    connect(controller_, &TrainingController::epochFinished, trainPanel_, &TrainPanel::onEpoch);
    connect(controller_, &TrainingController::message, trainPanel_, &TrainPanel::onMessage);
    connect(controller_, &TrainingController::finished, trainPanel_, &TrainPanel::onFinished);
    connect(controller_, &TrainingController::predictionReady, this, &MainWindow::onPrediction);
    connect(controller_, &TrainingController::stateChanged, this, [this](JobState s) {
        if (s == JobState::Running)
            openFirstDatasetCase(); // show what the network is learning from
    });
    connect(
        controller_, &TrainingController::finished, this, [this](JobState s, const QString& err) {
            if (s == JobState::Failed)
                showError(tr("Training failed: %1").arg(err));
            else
                statusBar()->showMessage(tr("Training %1. Results in %2")
                                             .arg(toString(s))
                                             .arg(QString::fromStdString(experiment_.outputDir)));
        });
}

MainWindow::~MainWindow() {
    // Background loads hold a guarded pointer to this window; let them end
    // first (a load takes a second or two) so none races the destruction.
    QThreadPool::globalInstance()->waitForDone();
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open image..."), QKeySequence::Open, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open image"), QString(),
                                                       tr("NIfTI (*.nii *.nii.gz);;All files (*)"));
        if (!p.isEmpty())
            openImage(p);
    });
    file->addAction(tr("Open &label overlay..."), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open label map"), QString(),
                                                       tr("NIfTI (*.nii *.nii.gz);;All files (*)"));
        if (!p.isEmpty())
            openLabel(p);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* train = menuBar()->addMenu(tr("&Training"));
    train->addAction(tr("Load &experiment..."), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open experiment"), QString(),
                                                       tr("Experiment (*.json)"));
        if (!p.isEmpty())
            loadExperiment(p);
    });
    train->addAction(tr("&Train"), this, &MainWindow::startTraining);
    train->addAction(tr("&Cancel"), this, &MainWindow::cancelTraining);
}

void MainWindow::openImage(const QString& path, const QString& labelPath) {
    statusBar()->showMessage(tr("Loading %1...").arg(path));
    const quint64 generation = ++imageGeneration_; // later requests win
    const QString label = labelPath.isEmpty() ? siblingLabel(path) : labelPath;
    struct Loaded {
        Volume image, label;
    };
    const std::string p = path.toStdString(), l = label.toStdString();
    runInBackground(
        this,
        [p, l] {
            Loaded r{loadImage(p), {}};
            if (!l.empty()) {
                r.label = loadImage(l);
                if (r.label.spatialShape() != r.image.spatialShape())
                    throw IoError("the label's size differs from the image's", l);
            }
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

void MainWindow::openLabel(const QString& path) {
    const quint64 generation = imageGeneration_;
    const std::string p = path.toStdString();
    runInBackground(
        this, [p] { return loadImage(p); },
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

void MainWindow::showImage(const Volume& image, const QString& path) {
    image_ = image;
    overlay_ = Volume();
    for (auto* s : slices_)
        s->setImage(image);
    volumeView_->setLabel(Volume());
    volumeView_->setVolume(image);
    statusBar()->showMessage(QString("%1: %2").arg(QFileInfo(path).fileName(),
                                                   QString::fromStdString(image.describe())));
    Q_EMIT volumeLoaded(path);
}

void MainWindow::showOverlay(const Volume& label) {
    overlay_ = label;
    for (auto* s : slices_)
        s->setLabel(label);
    volumeView_->setLabel(label);
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
    try {
        experiment_ = ExperimentConfig::load(path.toStdString());
        hasExperiment_ = true;
        trainPanel_->setExperimentName(QString::fromStdString(experiment_.name));
        statusBar()->showMessage(
            tr("Experiment %1 loaded").arg(QString::fromStdString(experiment_.name)));
        return true;
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::startTraining() {
    if (!hasExperiment_) {
        showError(tr("Load an experiment first (Training > Load experiment)."));
        return;
    }
    trainPanel_->clearCurves();
    controller_->start(experiment_);
}

void MainWindow::cancelTraining() {
    controller_->cancel();
}

void MainWindow::openFirstDatasetCase() {
    std::ifstream f(experiment_.dataset);
    if (!f)
        return;
    try {
        nlohmann::json j;
        f >> j;
        const auto& first = j.at(experiment_.datalistKey).at(0);
        const QFileInfo base(QString::fromStdString(experiment_.dataset));
        openImage(base.dir().absoluteFilePath(
            QString::fromStdString(first.at("image").get<std::string>())));
    } catch (const std::exception&) {
        // the dataset list is checked by the trainer, which reports problems
    }
}

void MainWindow::onPrediction(const PredictionEvent& e) {
    ++imageGeneration_; // pending loads must not replace the prediction
    showImage(e.image, QString::fromStdString(e.caseName));
    showOverlay(e.prediction);
    statusBar()->showMessage(tr("Prediction of the best model for %1: Dice %2 (saved to %3)")
                                 .arg(QString::fromStdString(e.caseName))
                                 .arg(e.dice, 0, 'f', 4)
                                 .arg(QString::fromStdString(e.file)));
    Q_EMIT predictionShown(e.dice);
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
        openImage(path);
    e->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (controller_->isRunning())
        controller_->cancel();
    e->accept();
}

} // namespace medulla::ui
