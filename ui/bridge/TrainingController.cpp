#include "ui/bridge/TrainingController.h"

#include <QMetaObject>

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
                if (c->generation_ != g)
                    return;
                c->flushIterations();
                c->flushTimer_.stop();
                c->state_ = s;
                Q_EMIT c->finished(s, text);
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
}

TrainingController::~TrainingController() {
    if (job_) {
        job_->cancel();
        job_->wait();
    }
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
        Q_EMIT message(tr("A training run is already active."));
        return false;
    }
    if (job_)
        job_->wait(); // the old worker has returned: its relay can go
    job_.reset();
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
    flushTimer_.start();
    return job_->start();
}

void TrainingController::cancel() {
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
