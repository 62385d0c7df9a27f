#pragma once
/// Supervised segmentation training, run synchronously on the calling
/// thread (TrainingJob runs it on a worker thread). One run:
///   prepare data (generate synthetic data if configured, cache the
///   deterministic transforms) -> for each epoch: iterations of forward,
///   loss, backward, optimizer step; validation (mean foreground Dice) every
///   val_interval epochs; checkpoint "checkpoint.pt" after every epoch and
///   "best_model.pt" (+ PyTorch-loadable "best_model_state.pt") on a new best
///   -> the best model's prediction for the first validation case.
/// The run uses trainer.device (CUDA when available by default); data stays
/// on the CPU until each batch is moved there.
/// Cancellation is checked before every iteration and every validation
/// case, so a run stops within one iteration; written checkpoints stay.

#include <memory>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/training/Experiment.h"
#include "engine/training/TrainingEvents.h"

namespace medulla {

class Trainer {
public:
    explicit Trainer(ExperimentConfig config);
    ~Trainer();

    /// Observers are called on the thread running run(); not owned.
    void addObserver(TrainingObserver* observer);

    /// Run to completion. Returns Completed or Cancelled; throws on failure
    /// (medulla::Error subclasses name the file or field).
    JobState run(const CancelToken& cancel);

    const ExperimentConfig& config() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace medulla
