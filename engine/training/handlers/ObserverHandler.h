#pragma once
/// Translates a SupervisedTrainer's events into the TrainingObserver calls
/// the GUI bridge and the console already understand:
///   Started             -> onStateChanged(Running)
///   IterationCompleted  -> onIteration(IterationEvent)  (1-based counters,
///                          loss = state().output["loss"])
///   EpochCompleted      -> onEpoch(EpochEvent): the mean of the epoch's
///                          finite losses (EpochLossTracker: exact also in
///                          the epoch a run resumes in when the tracker is
///                          in the checkpoint), the lr now, the key metric when
///                          "VALIDATION_COMPLETED" fired during the epoch
///                          (valMeanDice, else -1), the best key metric and
///                          its epoch (-1 / 0 before any), the epoch's wall
///                          time (since EpochStarted, or since Started for
///                          an epoch end a resumed run redoes), the
///                          checkpoint path of the options.
/// Attach it after the handlers whose effects the events report (lr
/// schedule, validation, checkpoint saving): callbacks run in attachment
/// order. Observers are called on the trainer's thread and may block (the
/// TrainingJob's pause gate does, between iterations).

#include <torch/arg.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/training/TrainingEvents.h"
#include "engine/training/Workflow.h"
#include "engine/training/handlers/EpochLossTracker.h"

namespace medulla {

struct ObserverHandlerOptions {
    /// Reported as EpochEvent::checkpoint (the file written after each epoch).
    TORCH_ARG(std::string, checkpoint) = "";
};

class ObserverHandler : public Handler {
public:
    /// Observers are not owned and must outlive the runs. `epochLoss`: the
    /// run's shared tracker, attached by the caller before this handler;
    /// null: the handler attaches its own.
    explicit ObserverHandler(std::vector<TrainingObserver*> observers,
                             ObserverHandlerOptions options = {},
                             std::shared_ptr<EpochLossTracker> epochLoss = nullptr);

    /// `trainer` must be a SupervisedTrainer (std::invalid_argument otherwise).
    void attach(Workflow& trainer) override;

private:
    std::vector<TrainingObserver*> observers_;
    ObserverHandlerOptions options_;
    std::shared_ptr<EpochLossTracker> epochLoss_;
    bool ownTracker_ = false;
    std::chrono::steady_clock::time_point epochStart_;
    bool validated_ = false;
};

} // namespace medulla
