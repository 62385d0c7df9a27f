#include "engine/training/TrainingJob.h"

#include "engine/core/Threads.h"
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

bool TrainingJob::changeState(JobState next, const std::function<bool(JobState)>& allowed,
                              const std::function<void()>& whileLocked) {
    std::lock_guard<std::recursive_mutex> order(notifyMutex_);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!allowed(state_))
            return false;
        state_ = next;
        if (whileLocked)
            whileLocked();
    }
    notify([&] { observer_->onStateChanged(next); });
    return true;
}

void TrainingJob::notify(const std::function<void()>& call) {
    try {
        call();
    } catch (...) {
        // an observer's failure must not end the job or the process
    }
}

bool TrainingJob::start() {
    std::lock_guard<std::recursive_mutex> order(notifyMutex_);
    if (!changeState(JobState::Starting, [](JobState s) { return s == JobState::Idle; }))
        return false;
    worker_ = std::thread([this] { runWorker(); });
    return true;
}

void TrainingJob::cancel() {
    cancel_.cancel();
    changeState(
        JobState::Cancelling,
        [](JobState s) {
            return s == JobState::Starting || s == JobState::Running || s == JobState::Paused;
        },
        [this] { paused_ = false; });
    resumed_.notify_all();
}

void TrainingJob::pause() {
    changeState(
        JobState::Paused, [](JobState s) { return s == JobState::Running; },
        [this] { paused_ = true; });
}

void TrainingJob::resume() {
    changeState(
        JobState::Running, [](JobState s) { return s == JobState::Paused; },
        [this] { paused_ = false; });
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
    // A cancel or pause request wins over a late "running" from the trainer.
    changeState(s, [s](JobState current) {
        return !(s == JobState::Running &&
                 (current == JobState::Cancelling || current == JobState::Paused));
    });
}

void TrainingJob::runWorker() {
    if (background_)
        lowerThreadPriority();
    Trainer* running = nullptr;
    PauseGate gate(
        observer_,
        [this, &running] {
            std::unique_lock<std::mutex> lock(mutex_);
            if (!paused_)
                return;
            lock.unlock();
            if (running) // the other ranks of a distributed run wait too
                running->pausing(true);
            lock.lock();
            resumed_.wait(lock, [this] { return !paused_; });
            lock.unlock();
            if (running)
                running->pausing(false);
        },
        [this](JobState s) { setState(s); });

    JobState final = JobState::Failed;
    std::string err;
    try {
        Trainer trainer(config_);
        running = &trainer;
        trainer.setDistributed(distributed_);
        trainer.addObserver(&gate);
        trainer.resumeFrom(resumeFrom_);
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
    std::lock_guard<std::recursive_mutex> order(notifyMutex_);
    changeState(
        final, [](JobState) { return true; }, [&] { error_ = err; });
    notify([&] { observer_->onFinished(final, err); });
}

} // namespace medulla
