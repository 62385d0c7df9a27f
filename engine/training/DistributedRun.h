#pragma once
/// What a Trainer run does differently when it is one of several processes
/// (issue 10): which cases this rank caches and trains on, how the ranks'
/// validation results become one, and the per-iteration handlers that keep
/// the ranks in step.
///
/// Semantics (PyTorch DDP's): every rank trains on batch_size cases per
/// iteration, so one optimizer step sees world_size x batch_size cases and
/// an epoch has 1/world_size of the iterations. Rank 0 alone writes the
/// output folder (checkpoints, logs, metrics, predictions); every rank
/// validates its share of the validation cases and the per-case metrics
/// are gathered, in datalist order, before anything is reported.

#include <memory>
#include <vector>

#include "engine/data/Dataset.h"
#include "engine/distributed/DistributedEnv.h"
#include "engine/distributed/DistributedOptions.h"
#include "engine/training/Evaluator.h"

namespace medulla {

class DistributedContext;
class RunControl;
class SupervisedTrainer;
class CancelToken;

struct DistributedRun {
    std::shared_ptr<DistributedContext> context; ///< null: a single process
    std::shared_ptr<RunControl> control;
    DistributedOptions options;

    bool active() const { return context != nullptr; }
    int rank() const;
    int worldSize() const;
    /// Whether this process writes the output folder (rank 0, or alone).
    bool writes() const { return rank() == 0; }
};

/// Training cases of `rank`: MONAI's partition_dataset(num_partitions =
/// world, shuffle with `seed`, even_divisible) — every rank the same count,
/// the list padded with its first (shuffled) cases.
std::vector<Sample> trainingShare(const std::vector<Sample>& items, int worldSize, int rank,
                                  uint64_t seed);
/// Validation cases of `rank`: items rank, rank + world, rank + 2 world, ...
/// (no padding: each case is scored once).
std::vector<Sample> validationShare(const std::vector<Sample>& items, int worldSize, int rank);

/// Gathers every metric's per-case rows over the ranks into each rank's
/// metric, back in datalist order (validationShare's interleaving), so that
/// aggregate() gives every rank the value of the whole set. Collective.
void gatherMetrics(DistributedContext& context,
                   std::vector<std::pair<std::string, MetricPtr>>& metrics);

/// Attaches to `trainer` (before any other handler): the iteration's loss
/// replaced by its mean over ranks (what the reports, the epoch loss and
/// early stopping see). Collective at every iteration.
void attachLossAverage(SupervisedTrainer& trainer, DistributedContext& context);

/// Attaches to `trainer` (after every other handler): the sync point of
/// RunControl after every iteration and every epoch; when it says stop,
/// `runCancel` (the token the workflows run with) is cancelled on every
/// rank. `requested` is this rank's own stop request (rank 0: the user's).
void attachRunControl(SupervisedTrainer& trainer, RunControl& control, const CancelToken& requested,
                      CancelToken& runCancel);

} // namespace medulla
