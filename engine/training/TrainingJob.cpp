#include "engine/training/TrainingJob.h"

#include "engine/training/Trainer.h"

namespace medulla {
namespace {

/// Forwards events to the user's observer and blocks between iterations
/// while the job is paused.
class PauseGate : public TrainingObserver {
public:
    PauseGate(TrainingObserver* inner, std::function<void()> waitIfPaused,
              std::function<void(JobState)> setState)
        : inner_(inner), waitIfPaused_(std::move(waitIfPaused)), setState_(std::move(setState)) {}
    void onStateChanged(JobState s) override { setState_(s); }
    void onMessage(const std::string& m) override { inner_->onMessage(m); }
    void onPreparing(double f, const std::string& w) override { inner_->onPreparing(f, w); }
    void onIteration(const IterationEvent& e) override {
        inner_->onIteration(e);
        waitIfPaused_();
    }
    void onEpoch(const EpochEvent& e) override { inner_->onEpoch(e); }
    void onPrediction(const PredictionEvent& e) override { inner_->onPrediction(e); }

private:
    TrainingObserver* inner_;
    std::function<void()> waitIfPaused_;
    std::function<void(JobState)> setState_;
};

class NullObserver : public TrainingObserver {};

} // namespace

TrainingJob::TrainingJob(ExperimentConfig config, TrainingObserver* observer)
    : config_(std::move(config)), observer_(observer) {
    static NullObserver none;
    if (!observer_)
        observer_ = &none;
}

TrainingJob::~TrainingJob() {
    cancel();
    wait();
}

bool TrainingJob::start() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (state_ != JobState::Idle)
        return false;
    state_ = JobState::Starting;
    observer_->onStateChanged(JobState::Starting);
    worker_ = std::thread([this] { runWorker(); });
    return true;
}

void TrainingJob::cancel() {
    cancel_.cancel();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        paused_ = false;
        if (state_ == JobState::Starting || state_ == JobState::Running ||
            state_ == JobState::Paused) {
            state_ = JobState::Cancelling;
            observer_->onStateChanged(JobState::Cancelling);
        }
    }
    resumed_.notify_all();
}

void TrainingJob::pause() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (state_ != JobState::Running)
        return;
    paused_ = true;
    state_ = JobState::Paused;
    observer_->onStateChanged(JobState::Paused);
}

void TrainingJob::resume() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (state_ != JobState::Paused)
            return;
        paused_ = false;
        state_ = JobState::Running;
        observer_->onStateChanged(JobState::Running);
    }
    resumed_.notify_all();
}

void TrainingJob::wait() {
    if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id())
        worker_.join();
}

JobState TrainingJob::state() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return state_;
}

std::string TrainingJob::error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_;
}

void TrainingJob::setState(JobState s) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // A cancel request wins over a late "running" from the trainer.
        if (s == JobState::Running &&
            (state_ == JobState::Cancelling || state_ == JobState::Paused))
            return;
        state_ = s;
    }
    observer_->onStateChanged(s);
}

void TrainingJob::runWorker() {
    PauseGate gate(
        observer_,
        [this] {
            std::unique_lock<std::mutex> lock(mutex_);
            resumed_.wait(lock, [this] { return !paused_; });
        },
        [this](JobState s) { setState(s); });

    JobState final = JobState::Failed;
    std::string err;
    try {
        Trainer trainer(config_);
        trainer.addObserver(&gate);
        final = trainer.run(cancel_);
    } catch (const CancelledError&) {
        final = JobState::Cancelled;
    } catch (const std::exception& e) {
        err = e.what();
        final = JobState::Failed;
    } catch (...) {
        err = "unknown error";
        final = JobState::Failed;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        state_ = final;
        error_ = err;
    }
    observer_->onStateChanged(final);
    observer_->onFinished(final, err);
}

} // namespace medulla
