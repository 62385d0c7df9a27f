#include "ui/panels/TrainingMonitor.h"

#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

#include <unistd.h>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/services/RunFolders.h"
#include "engine/training/Experiment.h"
#include "ui/bridge/TrainingController.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/model/RunHistory.h"
#include "ui/widgets/CurvePlot.h"

namespace medulla::ui {

TrainingMonitor::TrainingMonitor(TrainingController* controller, QWidget* parent)
    : QWidget(parent), controller_(controller ? controller : new TrainingController(this)) {
    buildUi();
    connect(controller_, &TrainingController::stateChanged, this, &TrainingMonitor::onStateChanged);
    connect(controller_, &TrainingController::preparing, this, &TrainingMonitor::onPreparing);
    connect(controller_, &TrainingController::iterations, this, &TrainingMonitor::onIterations);
    connect(controller_, &TrainingController::epochFinished, this, &TrainingMonitor::onEpoch);
    connect(controller_, &TrainingController::finished, this, &TrainingMonitor::onFinished);
    connect(controller_, &TrainingController::message, this, &TrainingMonitor::onMessage);
    // a worker process of a multi-process run died: shown at once, the
    // run's Failed state follows when rank 0 has stopped
    connect(controller_, &TrainingController::workerFailed, this, [this](const QString& error) {
        error_->setText(tr("A worker process failed: %1").arg(error));
        error_->setVisible(true);
    });
    memoryTimer_.setInterval(1000);
    connect(&memoryTimer_, &QTimer::timeout, this, &TrainingMonitor::updateMemory);
    memoryTimer_.start();
    updateMemory();
    updateButtons();
}

TrainingMonitor::~TrainingMonitor() = default;

void TrainingMonitor::buildUi() {
    auto* layout = new QVBoxLayout(this);
    auto* buttons = new QHBoxLayout;
    start_ = new QPushButton(tr("Start"), this);
    start_->setObjectName("monitorStart");
    pause_ = new QPushButton(tr("Pause"), this);
    pause_->setObjectName("monitorPause");
    resume_ = new QPushButton(tr("Resume"), this);
    resume_->setObjectName("monitorResume");
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName("monitorCancel");
    resumeRun_ = new QPushButton(tr("Resume run"), this);
    resumeRun_->setObjectName("monitorResumeRun");
    resumeRun_->setToolTip(
        tr("Continue the selected (or last) run from its checkpoint.pt up to its max_epochs"));
    for (QPushButton* b : {start_, pause_, resume_, cancel_, resumeRun_})
        buttons->addWidget(b);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    error_ = new QLabel(this);
    error_->setObjectName("monitorError");
    error_->setStyleSheet("color: #c0392b;");
    error_->setWordWrap(true);
    error_->setVisible(false);
    layout->addWidget(error_);

    auto* progress = new QGridLayout;
    epochBar_ = new QProgressBar(this);
    epochBar_->setObjectName("epochBar");
    epochBar_->setRange(0, 1);
    epochBar_->setValue(0);
    epochBar_->setFormat(tr("epoch -"));
    iterBar_ = new QProgressBar(this);
    iterBar_->setObjectName("iterationBar");
    iterBar_->setRange(0, 1);
    iterBar_->setValue(0);
    iterBar_->setFormat(tr("iteration -"));
    stage_ = new QLabel(tr("idle"), this);
    eta_ = new QLabel(tr("ETA -"), this);
    throughput_ = new QLabel(tr("- it/s"), this);
    memory_ = new QLabel(this);
    progress->addWidget(epochBar_, 0, 0);
    progress->addWidget(iterBar_, 1, 0);
    progress->addWidget(stage_, 0, 1);
    progress->addWidget(eta_, 0, 2);
    progress->addWidget(throughput_, 1, 1);
    progress->addWidget(memory_, 1, 2);
    progress->setColumnStretch(0, 3);
    progress->setColumnStretch(1, 2);
    progress->setColumnStretch(2, 1);
    layout->addLayout(progress);

    auto* plotBox = new QWidget(this);
    auto* plotLayout = new QVBoxLayout(plotBox);
    plotLayout->setContentsMargins(0, 0, 0, 0);
    auto* plotButtons = new QHBoxLayout;
    logScale_ = new QCheckBox(tr("Log scale"), plotBox);
    logScale_->setObjectName("logScale");
    fit_ = new QPushButton(tr("Fit"), plotBox);
    exportPng_ = new QPushButton(tr("Export PNG…"), plotBox);
    exportCsv_ = new QPushButton(tr("Export CSV…"), plotBox);
    plotButtons->addWidget(logScale_);
    plotButtons->addStretch(1);
    plotButtons->addWidget(fit_);
    plotButtons->addWidget(exportPng_);
    plotButtons->addWidget(exportCsv_);
    plotLayout->addLayout(plotButtons);
    plot_ = new CurvePlot(plotBox);
    plotLayout->addWidget(plot_, 1);

    history_ = new RunHistory(this);
    historyView_ = new QTreeView(this);
    historyView_->setObjectName("runHistory");
    historyView_->setModel(history_);
    historyView_->setRootIsDecorated(false);
    historyView_->setUniformRowHeights(true);
    historyView_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    historyView_->setMinimumWidth(300);

    log_ = new QPlainTextEdit(this);
    log_->setObjectName("trainingLog");
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    log_->setFont(QFont("monospace", 8));

    auto* top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(plotBox);
    top->addWidget(historyView_);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    top->setSizes({700, 480});
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(log_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    connect(start_, &QPushButton::clicked, this, [this] { startRun(); });
    connect(pause_, &QPushButton::clicked, this, &TrainingMonitor::pauseRun);
    connect(resume_, &QPushButton::clicked, this, &TrainingMonitor::resumeRunning);
    connect(cancel_, &QPushButton::clicked, this, &TrainingMonitor::cancelRun);
    connect(resumeRun_, &QPushButton::clicked, this, [this] { resumeRun(); });
    connect(logScale_, &QCheckBox::toggled, plot_, &CurvePlot::setLogScale);
    connect(fit_, &QPushButton::clicked, plot_, &CurvePlot::fitAll);
    connect(exportPng_, &QPushButton::clicked, this, [this] {
        if (!interactive_)
            return;
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the curves as PNG"),
                                                          "training-curves.png", "PNG (*.png)");
        if (!path.isEmpty())
            exportPng(path);
    });
    connect(exportCsv_, &QPushButton::clicked, this, [this] {
        if (!interactive_)
            return;
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the curves as CSV"),
                                                          "training-curves.csv", "CSV (*.csv)");
        if (!path.isEmpty())
            exportCsv(path);
    });
    connect(history_, &RunHistory::checkedChanged, this,
            [this] { plot_->setOverlays(history_->checkedRuns()); });
    connect(historyView_->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this] { updateButtons(); });
}

// ---- experiment -------------------------------------------------------------

void TrainingMonitor::setDocument(ExperimentDocument* doc) {
    if (doc_)
        disconnect(doc_, nullptr, this, nullptr);
    doc_ = doc;
    if (doc_)
        connect(doc_, &ExperimentDocument::changed, this, [this](const QString& section) {
            if (section.isEmpty() || section == "output_dir")
                refreshHistory();
        });
    refreshHistory();
}

void TrainingMonitor::setExperimentJson(const Json& json) {
    json_ = json;
    refreshHistory();
}

Json TrainingMonitor::experimentJson() const {
    return doc_ ? doc_->json() : json_;
}

QString TrainingMonitor::historyDir() const {
    return history_->outputDir();
}

void TrainingMonitor::refreshHistory() {
    const Json j = experimentJson();
    QString dir;
    if (j.is_object() && j.contains("output_dir") && j["output_dir"].is_string())
        dir = QString::fromStdString(j["output_dir"].get<std::string>());
    if (dir != history_->outputDir())
        history_->setOutputDir(dir);
    else
        history_->refresh();
    updateButtons();
}

void TrainingMonitor::showError(const QString& text) {
    error_->setText(text);
    error_->setVisible(!text.isEmpty());
    if (!text.isEmpty())
        log_->appendPlainText(tr("error: %1").arg(text));
}

QString TrainingMonitor::errorText() const {
    return error_->isVisible() ? error_->text() : QString();
}

// ---- actions ----------------------------------------------------------------

bool TrainingMonitor::startRun() {
    if (controller_->isRunning()) {
        showError(tr("A training run is already active."));
        return false;
    }
    ExperimentConfig config;
    QString runDir;
    try {
        config = ExperimentConfig::fromJson(experimentJson(),
                                            doc_ ? doc_->path().toStdString() : std::string());
        runDir = QString::fromStdString(createRunFolder(config.outputDir));
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        return false;
    }
    showError({});
    const QString base = QString::fromStdString(config.outputDir);
    config.outputDir = runDir.toStdString();
    batchSize_ = std::max<long long>(1, config.trainer.batch_size);
    plot_->clearLive();
    const QString previousRun = runDir_;
    runDir_ = runDir;
    epochBar_->setRange(0, int(std::max<int64_t>(1, config.trainer.max_epochs)));
    epochBar_->setValue(0);
    epochBar_->setFormat(tr("epoch 0/%1").arg(config.trainer.max_epochs));
    log_->appendPlainText(tr("run %1 started in %2").arg(QFileInfo(runDir).fileName(), base));
    if (!controller_->start(config)) {
        showError(controller_->lastError().isEmpty() ? tr("The run could not be started.")
                                                     : controller_->lastError());
        QDir(runDir).removeRecursively(); // made by this click, nothing ran in it
        runDir_ = previousRun;
        return false;
    }
    state_ = JobState::Starting;
    beginSegment();
    if (base != history_->outputDir())
        history_->setOutputDir(base);
    else
        history_->refresh();
    updateButtons();
    Q_EMIT runStarted(runDir);
    return true;
}

QString TrainingMonitor::resumeTarget() const {
    const QModelIndex current = historyView_->currentIndex();
    if (current.isValid() && current.row() < int(history_->runs().size()))
        return QString::fromStdString(history_->runs()[size_t(current.row())].path);
    return runDir_;
}

bool TrainingMonitor::resumeRun(const QString& dir) {
    const QString runDir = dir.isEmpty() ? resumeTarget() : dir;
    if (controller_->isRunning()) {
        showError(tr("A training run is already active."));
        return false;
    }
    if (runDir.isEmpty()) {
        showError(tr("No run to resume: start a run first or select one in the history."));
        return false;
    }
    const QString checkpoint = runDir + "/checkpoint.pt";
    if (!QFile::exists(checkpoint)) {
        showError(tr("%1: no checkpoint to resume from").arg(checkpoint));
        return false;
    }
    const RunSummary summary = readRun(runDir.toStdString());
    if (summary.lastState == "completed") {
        showError(tr("%1: already completed all %2 epochs").arg(runDir).arg(summary.maxEpochs));
        return false;
    }
    ExperimentConfig config;
    try {
        config = ExperimentConfig::load((runDir + "/experiment.json").toStdString());
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        return false;
    }
    showError({});
    config.outputDir = runDir.toStdString();
    batchSize_ = std::max<long long>(1, config.trainer.batch_size);
    if (runDir != runDir_)
        plot_->clearLive(); // another run: its live curve starts at the resumed step
    runDir_ = runDir;
    epochBar_->setRange(0, int(std::max<int64_t>(1, config.trainer.max_epochs)));
    log_->appendPlainText(tr("resuming %1 from checkpoint.pt").arg(QFileInfo(runDir).fileName()));
    if (!controller_->resumeFrom(config, checkpoint)) {
        showError(controller_->lastError().isEmpty() ? tr("The run could not be resumed.")
                                                     : controller_->lastError());
        return false;
    }
    state_ = JobState::Starting;
    beginSegment();
    updateButtons();
    Q_EMIT runStarted(runDir);
    return true;
}

void TrainingMonitor::pauseRun() {
    controller_->pause();
}

void TrainingMonitor::resumeRunning() {
    controller_->resume();
}

void TrainingMonitor::cancelRun() {
    controller_->cancel();
}

bool TrainingMonitor::exportPng(const QString& path) {
    if (!plot_->exportPng(path)) {
        showError(tr("%1: could not write the PNG").arg(path));
        return false;
    }
    log_->appendPlainText(tr("curves written to %1").arg(path));
    return true;
}

bool TrainingMonitor::exportCsv(const QString& path) {
    QString error;
    if (!plot_->exportCsv(path, &error)) {
        showError(error);
        return false;
    }
    log_->appendPlainText(tr("curves written to %1").arg(path));
    return true;
}

// ---- controller events ------------------------------------------------------

void TrainingMonitor::beginSegment() {
    activeBefore_ = 0;
    clockRunning_ = false;
    firstStep_ = -1;
    firstStepAt_ = 0;
    secondsPerIteration_ = 0;
    eta_->setText(tr("ETA -"));
    throughput_->setText(tr("- it/s"));
}

double TrainingMonitor::activeSeconds() const {
    return activeBefore_ + (clockRunning_ ? clock_.elapsed() / 1000.0 : 0.0);
}

void TrainingMonitor::onStateChanged(JobState state) {
    // the running clock counts Running stretches only (a pause stops the ETA)
    const bool running = state == JobState::Running;
    if (running && !clockRunning_) {
        clock_.start();
        clockRunning_ = true;
    } else if (!running && clockRunning_) {
        activeBefore_ += clock_.elapsed() / 1000.0;
        clockRunning_ = false;
    }
    state_ = state;
    if (state != JobState::Starting)
        stage_->setText(QString::fromLatin1(toString(state)));
    updateButtons();
}

void TrainingMonitor::onPreparing(double fraction, const QString& what) {
    stage_->setText(what);
    iterBar_->setRange(0, 1000);
    iterBar_->setValue(int(std::clamp(fraction, 0.0, 1.0) * 1000));
    iterBar_->setFormat(tr("preparing %p%"));
}

void TrainingMonitor::onIterations(const QVector<IterationEvent>& events) {
    if (events.isEmpty())
        return;
    plot_->addIterations(events);
    const IterationEvent& last = events.back();
    const double now = activeSeconds();
    if (firstStep_ < 0) {
        firstStep_ = events.front().globalStep;
        firstStepAt_ = now;
    }
    const long long steps = last.globalStep - firstStep_;
    if (steps > 0 && now > firstStepAt_) {
        secondsPerIteration_ = (now - firstStepAt_) / double(steps);
        const double itPerSec = 1.0 / secondsPerIteration_;
        eta_->setText(formatEta(secondsPerIteration_ * double(last.totalSteps - last.globalStep)));
        throughput_->setText(tr("%1 it/s, %2 samples/s")
                                 .arg(itPerSec, 0, 'f', 2)
                                 .arg(itPerSec * double(batchSize_), 0, 'f', 1));
    }
    const int maxEpochs =
        last.iterationsPerEpoch > 0 ? int(last.totalSteps / last.iterationsPerEpoch) : 0;
    if (maxEpochs > 0)
        epochBar_->setRange(0, maxEpochs);
    epochBar_->setValue(last.epoch - 1);
    epochBar_->setFormat(tr("epoch %1/%2").arg(last.epoch).arg(epochBar_->maximum()));
    iterBar_->setRange(0, std::max(1, last.iterationsPerEpoch));
    iterBar_->setValue(last.iteration);
    iterBar_->setFormat(tr("iteration %1/%2, loss %3")
                            .arg(last.iteration)
                            .arg(last.iterationsPerEpoch)
                            .arg(last.loss, 0, 'f', 4));
}

void TrainingMonitor::onEpoch(const EpochEvent& e) {
    plot_->addEpoch(e);
    epochBar_->setRange(0, std::max(1, e.maxEpochs));
    epochBar_->setValue(e.epoch);
    epochBar_->setFormat(tr("epoch %1/%2").arg(e.epoch).arg(e.maxEpochs));
    QString line =
        tr("epoch %1/%2  loss %3").arg(e.epoch).arg(e.maxEpochs).arg(e.meanLoss, 0, 'f', 4);
    if (e.valMeanDice >= 0)
        line += tr("  val Dice %1 (best %2 @ %3)")
                    .arg(e.valMeanDice, 0, 'f', 4)
                    .arg(e.bestValMeanDice, 0, 'f', 4)
                    .arg(e.bestEpoch);
    line += tr("  %1 s").arg(e.seconds, 0, 'f', 1);
    log_->appendPlainText(line);
}

void TrainingMonitor::onFinished(JobState state, const QString& error) {
    onStateChanged(state);
    if (state == JobState::Completed) {
        iterBar_->setValue(iterBar_->maximum());
        eta_->setText(tr("ETA 0 s"));
    }
    if (state == JobState::Failed)
        showError(tr("Training failed: %1").arg(error));
    log_->appendPlainText(
        tr("run %1 %2").arg(QFileInfo(runDir_).fileName(), QString::fromLatin1(toString(state))));
    refreshHistory();
    Q_EMIT runFinished(runDir_, state);
}

void TrainingMonitor::onMessage(const QString& text) {
    log_->appendPlainText(text);
}

void TrainingMonitor::updateButtons() {
    const JobState s = state_;
    const bool active = !isFinal(s) && s != JobState::Idle;
    start_->setEnabled(!active);
    pause_->setEnabled(s == JobState::Running);
    resume_->setEnabled(s == JobState::Paused);
    cancel_->setEnabled(s == JobState::Starting || s == JobState::Running || s == JobState::Paused);
    const QString target = resumeTarget();
    resumeRun_->setEnabled(!active && !target.isEmpty() &&
                           QFile::exists(target + "/checkpoint.pt") &&
                           readRun(target.toStdString()).lastState != "completed");
}

void TrainingMonitor::updateMemory() {
    const qint64 rss = residentBytes();
    memory_->setText(rss > 0 ? tr("RSS %1 MB").arg(rss / (1024 * 1024)) : tr("RSS -"));
}

// ---- read-outs --------------------------------------------------------------

int TrainingMonitor::lossPointCount() const {
    return plot_->lossPointCount();
}
int TrainingMonitor::valPointCount() const {
    return plot_->valPointCount();
}
QString TrainingMonitor::etaText() const {
    return eta_->text();
}
QString TrainingMonitor::throughputText() const {
    return throughput_->text();
}
QString TrainingMonitor::memoryText() const {
    return memory_->text();
}
QString TrainingMonitor::stageText() const {
    return stage_->text();
}

QString TrainingMonitor::formatEta(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0)
        return tr("ETA -");
    const long long s = std::llround(seconds);
    if (s >= 3600)
        return tr("ETA %1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    if (s >= 60)
        return tr("ETA %1 min %2 s").arg(s / 60).arg(s % 60);
    return tr("ETA %1 s").arg(s);
}

qint64 TrainingMonitor::residentBytes() {
    QFile f("/proc/self/statm");
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = f.readAll().simplified().split(' ');
    if (fields.size() < 2)
        return 0;
    return fields[1].toLongLong() * qint64(sysconf(_SC_PAGESIZE));
}

} // namespace medulla::ui
