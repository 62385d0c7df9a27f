#include "ui/bridge/TrainingController.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QStringList>

#include "engine/core/Error.h"
#include "engine/services/LocalWorkers.h"

namespace medulla::ui {

/// Runs on the worker thread: queues everything to the controller's thread.
/// Events of an older run (queued before it ended) are dropped by
/// generation, so they never reach the panel during a newer run.
class TrainingController::Relay : public TrainingObserver {
public:
    Relay(TrainingController* c, quint64 generation) : c_(c), gen_(generation) {}
    void onStateChanged(JobState s) override {
        QMetaObject::invokeMethod(
            c_,
            [c = c_, g = gen_, s] {
                if (c->generation_ != g)
                    return;
                c->state_ = s;
                Q_EMIT c->stateChanged(s);
            },
            Qt::QueuedConnection);
    }
    void onMessage(const std::string& m) override {
        const QString text = QString::fromStdString(m);
        QMetaObject::invokeMethod(
            c_,
            [c = c_, g = gen_, text] {
                if (c->generation_ == g)
                    Q_EMIT c->message(text);
            },
            Qt::QueuedConnection);
    }
    void onPreparing(double f, const std::string& w) override {
        const QString text = QString::fromStdString(w);
        QMetaObject::invokeMethod(
            c_,
            [c = c_, g = gen_, f, text] {
                if (c->generation_ == g)
                    Q_EMIT c->preparing(f, text);
            },
            Qt::QueuedConnection);
    }
    void onIteration(const IterationEvent& e) override {
        std::lock_guard<std::mutex> lock(c_->pendingMutex_);
        c_->pending_.push_back(e);
    }
    void onEpoch(const EpochEvent& e) override {
        QMetaObject::invokeMethod(
            c_,
            [c = c_, g = gen_, e] {
                if (c->generation_ != g)
                    return;
                c->flushIterations();
                Q_EMIT c->epochFinished(e);
            },
            Qt::QueuedConnection);
    }
    void onPrediction(const PredictionEvent& e) override {
        QMetaObject::invokeMethod(
            c_,
            [c = c_, g = gen_, e] {
                if (c->generation_ == g)
                    Q_EMIT c->predictionReady(e);
            },
            Qt::QueuedConnection);
    }
    void onFinished(JobState s, const std::string& err) override {
        const QString text = QString::fromStdString(err);
        QMetaObject::invokeMethod(
            c_,
            [c = c_, g = gen_, s, text] {
                if (c->generation_ == g)
                    c->finishRun(s, text);
            },
            Qt::QueuedConnection);
    }

private:
    TrainingController* c_;
    quint64 gen_;
};

TrainingController::TrainingController(QObject* parent) : QObject(parent) {
    qRegisterMetaType<medulla::JobState>();
    qRegisterMetaType<medulla::IterationEvent>();
    qRegisterMetaType<medulla::EpochEvent>();
    qRegisterMetaType<medulla::PredictionEvent>();
    flushTimer_.setInterval(66);
    connect(&flushTimer_, &QTimer::timeout, this, &TrainingController::flushIterations);
    workerTimer_.setInterval(200);
    connect(&workerTimer_, &QTimer::timeout, this, &TrainingController::watchWorkers);
}

TrainingController::~TrainingController() {
    if (job_) {
        job_->cancel();
        job_->wait();
    }
    workers_.reset(); // SIGTERM, SIGKILL 3 s later, all reaped
}

bool TrainingController::isRunning() const {
    return job_ && !isFinal(job_->state()) && job_->state() != JobState::Idle;
}

bool TrainingController::start(const ExperimentConfig& config) {
    return launch(config, {});
}

bool TrainingController::resumeFrom(const ExperimentConfig& config, const QString& checkpoint) {
    return launch(config, checkpoint.toStdString());
}

bool TrainingController::launch(const ExperimentConfig& config, const std::string& checkpoint) {
    if (isRunning()) {
        lastError_ = tr("A training run is already active.");
        Q_EMIT message(lastError_);
        return false;
    }
    lastError_.clear();
    if (job_)
        job_->wait(); // the old worker has returned: its relay can go
    job_.reset();
    // the last run's workers, should any still run: stopped and reaped
    workerTimer_.stop();
    workers_.reset();
    processes_ = 1;
    cancelRequested_ = false;
    jobEnded_ = false;
    stopStage_ = 0;
    workersEndReported_ = false;
    workerError_.clear();
    {
        std::lock_guard<std::mutex> lock(pendingMutex_);
        pending_.clear();
    }
    relay_ = std::make_unique<Relay>(this, ++generation_);
    job_ = std::make_unique<TrainingJob>(config, relay_.get());
    job_->setBackgroundPriority(true); // the GUI and its drawing come first
    if (!checkpoint.empty())
        job_->resumeFrom(checkpoint);
    outputDir_ = QString::fromStdString(config.outputDir);
    if (!startWorkers(config, checkpoint)) {
        job_.reset();
        return false;
    }
    flushTimer_.start();
    return job_->start();
}

QString TrainingController::cliProgram() const {
    if (!cliProgram_.isEmpty())
        return cliProgram_;
    const QByteArray env = qgetenv("MEDULLA_CLI");
    if (!env.isEmpty())
        return QString::fromLocal8Bit(env);
    return QCoreApplication::applicationDirPath() + "/medulla";
}

bool TrainingController::startWorkers(const ExperimentConfig& config,
                                      const std::string& checkpoint) {
    try {
        processes_ = LocalWorkers::processesOf(config);
    } catch (const std::exception& e) {
        lastError_ = QString::fromUtf8(e.what());
        return false;
    }
    if (processes_ <= 1)
        return true; // one process: exactly the single-process path
    const int n = processes_;
    const QString logs = outputDir_ + "/workers";
    Q_EMIT message(
        n == 2 ? tr("starting 2 processes (rank 0 here, rank 1 as a worker, logs in %1)").arg(logs)
               : tr("starting %1 processes (rank 0 here, ranks 1..%2 as workers, "
                    "logs in %3)")
                     .arg(n)
                     .arg(n - 1)
                     .arg(logs));
    const QString cli = cliProgram();
    try {
        // on the GUI thread: the workers die with the thread that starts them
        workers_ = std::make_unique<LocalWorkers>(cli.toStdString(), config, n, checkpoint);
    } catch (const IoError& e) {
        lastError_ = QString::fromUtf8(e.what());
        if (e.file() == cli.toStdString())
            lastError_ += tr(" (set MEDULLA_CLI to the medulla program)");
        return false;
    } catch (const std::exception& e) {
        lastError_ = QString::fromUtf8(e.what());
        return false;
    }
    Q_EMIT message(tr("worker command: %1").arg(QString::fromStdString(workers_->commandLine())));
    job_->setDistributed(workers_->rank0Env());
    workerTimer_.start();
    return true;
}

QString TrainingController::describeFailure(int rank, const std::string& description) const {
    QString text = QString::fromStdString(description);
    if (!workers_)
        return text;
    const std::string log = workers_->logFile(rank);
    const QString tail = QString::fromStdString(LocalWorkers::tail(log, 6));
    const QString file = QString::fromStdString(log);
    text += tail.trimmed().isEmpty() ? tr("; its log %1 is empty").arg(file)
                                     : tr("; the end of %1:\n%2").arg(file, tail);
    return text;
}

void TrainingController::watchWorkers() {
    // a timer slot: nothing may escape into the event loop
    try {
        checkWorkers();
    } catch (const std::exception& e) {
        Q_EMIT message(tr("watching the worker processes: %1").arg(QString::fromUtf8(e.what())));
    }
}

void TrainingController::checkWorkers() {
    if (!workers_) {
        workerTimer_.stop();
        return;
    }
    const auto failure = workers_->poll();
    if (failure && workerError_.isEmpty() && !jobEnded_ && !cancelRequested_) {
        // rank 0 would otherwise wait for it up to distributed.timeout_s
        workerError_ = describeFailure(failure->rank, failure->description);
        Q_EMIT message(tr("worker failed: %1").arg(workerError_));
        Q_EMIT message(tr("cancelling the run (rank 0 stops once it is no longer waiting for the "
                          "others)"));
        Q_EMIT workerFailed(workerError_);
        if (job_)
            job_->cancel();
    }
    if (!workers_->running()) {
        workerTimer_.stop();
        if (workersEndReported_)
            return;
        workersEndReported_ = true;
        QStringList ends;
        for (int rank : workers_->ranks())
            if (const auto e = workers_->exitOf(rank))
                ends << QString::fromStdString(e->description);
        Q_EMIT message(tr("worker processes ended: %1").arg(ends.join("; ")));
        Q_EMIT workersEnded();
        return;
    }
    if (!jobEnded_)
        return;
    // after the run: a grace period to finish on their own, then SIGTERM,
    // then SIGKILL
    const double waited = double(sinceEnd_.elapsed()) / 1000.0;
    if (stopStage_ == 0 && waited >= workerGrace_) {
        Q_EMIT message(
            tr("stopping the worker processes still running %1 s after the run ended").arg(waited));
        workers_->stop();
        stopStage_ = 1;
    } else if (stopStage_ == 1 && waited >= workerGrace_ + 3) {
        workers_->kill();
        stopStage_ = 2;
    }
}

void TrainingController::finishRun(JobState state, QString error) {
    flushIterations();
    flushTimer_.stop();
    if (workers_) {
        jobEnded_ = true;
        sinceEnd_.start();
        const bool seenWhileRunning = !workerError_.isEmpty();
        std::optional<LocalWorkerExit> failure;
        try {
            failure = workers_->poll();
        } catch (const std::exception& e) {
            Q_EMIT message(
                tr("watching the worker processes: %1").arg(QString::fromUtf8(e.what())));
        }
        if (!seenWhileRunning && failure && !cancelRequested_ && state != JobState::Completed) {
            workerError_ = describeFailure(failure->rank, failure->description);
            Q_EMIT message(tr("worker failed: %1").arg(workerError_));
        }
        if (!workerError_.isEmpty() && !cancelRequested_) {
            if (state == JobState::Cancelled) { // cancelled because of the worker
                state = JobState::Failed;
                error = workerError_;
            } else if (state == JobState::Failed) {
                // the cause first: the worker seen to fail while rank 0 ran,
                // else rank 0's own error
                error =
                    seenWhileRunning ? workerError_ + "\n" + error : error + "\n" + workerError_;
            }
        }
    }
    state_ = state;
    Q_EMIT finished(state, error);
    if (workers_)
        watchWorkers(); // they may all have ended already
}

bool TrainingController::workersRunning() const {
    return workers_ && workers_->running();
}

QString TrainingController::workerLogDir() const {
    return workers_ ? QString::fromStdString(workers_->logDir()) : QString();
}

int TrainingController::workerExitStatus(int rank) const {
    if (!workers_)
        return -1;
    try {
        const auto e = workers_->exitOf(rank);
        return e ? e->status : -1;
    } catch (const std::exception&) {
        return -1;
    }
}

void TrainingController::cancel() {
    if (job_ && isRunning())
        cancelRequested_ = true;
    if (job_)
        job_->cancel();
}

void TrainingController::pause() {
    if (job_)
        job_->pause();
}

void TrainingController::resume() {
    if (job_)
        job_->resume();
}

void TrainingController::flushIterations() {
    QVector<IterationEvent> batch;
    {
        std::lock_guard<std::mutex> lock(pendingMutex_);
        batch.swap(pending_);
    }
    if (!batch.isEmpty())
        Q_EMIT iterations(batch);
}

} // namespace medulla::ui
