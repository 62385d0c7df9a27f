#pragma once
/// The mean training loss of the epoch in progress, for the handlers that
/// report it (ObserverHandler's EpochEvent::meanLoss, TensorBoardHandler's
/// "epoch_loss"). Its partial sums travel in the training checkpoint
/// (addStateful(checkpoint, "epoch_loss", tracker)), so the mean of the
/// epoch a run resumes in covers all of that epoch's iterations, before
/// and after the interruption, summed in the same order (bitwise the mean
/// of an uninterrupted run).
///
/// Counts state().output["loss"] at every IterationCompleted when it is
/// finite (a non-finite loss, skipped or not, is left out). EpochStarted
/// starts a new sum, except when the run resumes inside the epoch the sums
/// were saved in (state().epochIteration > 0 and the same epoch).
///
/// Order: attach it before a CheckpointSaver, so that a checkpoint written
/// at IterationCompleted holds that iteration's loss. Threads: the
/// workflow's thread.

#include <cstdint>

#include "engine/core/Params.h"
#include "engine/training/Workflow.h"

namespace medulla {

class EpochLossTracker : public Handler {
public:
    void attach(Workflow& workflow) override;

    /// Mean of the counted losses of the current epoch; NaN before any.
    double mean() const;
    double sum() const { return sum_; }
    int64_t count() const { return count_; }
    /// The epoch the sums belong to (0 before the first).
    int64_t epoch() const { return epoch_; }

    /// {"epoch": E, "sum": s, "count": n} (the sum with round-trip precision).
    Json state() const;
    /// Restores state(); throws ConfigError naming the missing field.
    void loadState(const Json& state);

private:
    int64_t epoch_ = 0;
    double sum_ = 0;
    int64_t count_ = 0;
};

} // namespace medulla
