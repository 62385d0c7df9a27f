#pragma once
/// The event engine under every workflow (MONAI's Workflow on ignite's
/// Engine): a loop of epochs of iterations that fires events, to which
/// handlers attach callbacks. SupervisedTrainer and SupervisedEvaluator
/// (and the GAN trainer) subclass it and implement one iteration.
///
/// Order of events in run():
///   Started
///   per epoch: EpochStarted, per iteration: IterationStarted,
///              (iterate()), IterationCompleted; EpochCompleted
///   Completed            (all epochs done, or terminate() was called)
///   Cancelled            (the cancel token stopped the run between
///                         iterations, or an iteration threw CancelledError;
///                         handlers may save a checkpoint)
///   ExceptionRaised      (an iteration or handler threw; state().error holds
///                         it; run() rethrows it afterwards)
/// Custom events have names and are fired by whoever defines them
/// (fire("VALIDATION_COMPLETED")).
///
/// Resume: run() starts at state().epoch / state().epochIteration as they
/// are when run() is called, and again after the Started callbacks (so a
/// CheckpointLoader attached to Started can restore them): a run with
/// epoch = 3, epochIteration = 5 (of 10) continues with iteration 6 of
/// epoch 3 (startEpoch(3, 5) tells the subclass to skip 5 batches).
///
/// Threads: run() and every callback run on the calling thread. Not
/// thread-safe otherwise; cancel through the CancelToken.

#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/JobState.h"

namespace medulla {

enum class Event {
    Started,
    EpochStarted,
    IterationStarted,
    IterationCompleted,
    EpochCompleted,
    Completed,
    Cancelled,
    ExceptionRaised
};

/// "STARTED", "EPOCH_STARTED", ... (MONAI/ignite names).
const char* eventName(Event event);

/// Progress and results of a run (MONAI's engine.state).
struct WorkflowState {
    int64_t epoch = 0; ///< current epoch, 1-based (0 before the first)
    int64_t maxEpochs = 1;
    int64_t epochLength = 0;    ///< iterations per epoch
    int64_t epochIteration = 0; ///< iterations done in the current epoch
    int64_t iteration = 0;      ///< iterations done over the run
    /// Scalars of the last iteration ("loss", ...).
    std::map<std::string, double> output;
    /// Results of the last evaluation (name -> value).
    std::map<std::string, double> metrics;
    /// The metric that decides "best" (empty: none).
    std::string keyMetricName;
    double bestMetric = -std::numeric_limits<double>::infinity();
    int64_t bestMetricEpoch = -1;
    /// Set during ExceptionRaised.
    std::exception_ptr error;
};

class Workflow;
using EventCallback = std::function<void(Workflow&)>;

/// MONAI's handlers: attach() registers callbacks on the workflow.
class Handler {
public:
    virtual ~Handler() = default;
    virtual void attach(Workflow& workflow) = 0;
};

using HandlerPtr = std::shared_ptr<Handler>;

class Workflow {
public:
    virtual ~Workflow() = default;

    /// Callbacks run in registration order.
    void on(Event event, EventCallback callback);
    void on(const std::string& customEvent, EventCallback callback);
    void fire(Event event);
    void fire(const std::string& customEvent);
    /// Keeps the handler alive with the workflow and calls attach().
    void addHandler(HandlerPtr handler);
    const std::vector<HandlerPtr>& handlers() const { return handlers_; }

    /// Runs the remaining iterations (see the class comment). Returns
    /// Completed or Cancelled; rethrows what an iteration or a callback
    /// threw, after ExceptionRaised.
    JobState run(const CancelToken& cancel);
    /// Stop after the current iteration (EarlyStop); Completed still fires.
    void terminate() { terminate_ = true; }
    bool terminating() const { return terminate_; }

    WorkflowState& state() { return state_; }
    const WorkflowState& state() const { return state_; }
    /// A short name for logs ("trainer", "evaluator").
    virtual std::string name() const = 0;

protected:
    /// Iterations of one epoch (asked at each EpochStarted).
    virtual int64_t epochLength() = 0;
    /// Prepares epoch `epoch` (1-based), skipping its first `skip`
    /// iterations (resume); called before EpochStarted.
    virtual void startEpoch(int64_t epoch, int64_t skip) = 0;
    /// One iteration; fills state().output.
    virtual void iterate(const CancelToken& cancel) = 0;

private:
    std::map<Event, std::vector<EventCallback>> callbacks_;
    std::map<std::string, std::vector<EventCallback>> custom_;
    std::vector<HandlerPtr> handlers_;
    WorkflowState state_;
    bool terminate_ = false;
};

} // namespace medulla
