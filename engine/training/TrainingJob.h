#pragma once
/// Runs a Trainer on its own worker thread with the job state machine
/// Idle -> Starting -> Running <-> Paused -> Cancelling -> Cancelled |
/// Completed | Failed. Errors are caught on the worker and reported through
/// onFinished(Failed, message); they never escape the thread.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/core/CancelToken.h"
#include "engine/distributed/DistributedEnv.h"
#include "engine/training/Experiment.h"
#include "engine/training/TrainingEvents.h"

namespace medulla {

class TrainingJob {
public:
    /// observer: receives every event on the worker thread; not owned, must
    /// outlive the job.
    TrainingJob(ExperimentConfig config, TrainingObserver* observer);
    /// Cancels and joins.
    ~TrainingJob();

    /// Continue from a checkpoint (Trainer::resumeFrom); call before start().
    void resumeFrom(std::string checkpoint) { resumeFrom_ = std::move(checkpoint); }
    /// Run the worker (and the threads it starts) at background priority
    /// (lowerThreadPriority), for interactive front ends; call before start().
    void setBackgroundPriority(bool on) { background_ = on; }
    /// Run as one process of a distributed run (Trainer::setDistributed);
    /// before start(). A pause then holds every rank.
    void setDistributed(DistributedEnv env) { distributed_ = std::move(env); }
    /// Start the worker; false if already started.
    bool start();
    /// Request cancellation (any thread); the run stops within one iteration.
    void cancel();
    /// Pause/resume between iterations.
    void pause();
    void resume();
    /// Block until the worker has finished.
    void wait();

    JobState state() const;
    /// The error message of a Failed run.
    std::string error() const;

private:
    /// Move to `next` if allowed(current) (running whileLocked under the
    /// state lock), then notify the observer without that lock held.
    /// notifyMutex_ keeps notifications in the order of the changes.
    bool changeState(JobState next, const std::function<bool(JobState)>& allowed,
                     const std::function<void()>& whileLocked = {});
    void notify(const std::function<void()>& call);
    void setState(JobState s);
    void runWorker();

    ExperimentConfig config_;
    std::string resumeFrom_;
    DistributedEnv distributed_;
    TrainingObserver* observer_;
    bool background_ = false;
    CancelToken cancel_;
    mutable std::mutex mutex_;         ///< guards state_, error_, paused_
    std::recursive_mutex notifyMutex_; ///< orders state changes with their notifications
    std::condition_variable resumed_;
    bool paused_ = false;
    JobState state_ = JobState::Idle;
    std::string error_;
    std::thread worker_;
};

} // namespace medulla
