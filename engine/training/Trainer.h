#pragma once
/// Supervised segmentation training, run synchronously on the calling
/// thread (TrainingJob runs it on a worker thread). One run:
///   prepare data (generate synthetic data if configured, cache the
///   deterministic transforms) -> a SupervisedTrainer (forward, loss,
///   backward, optimizer step per iteration) with handlers: the lr schedule,
///   validation by a SupervisedEvaluator (mean foreground Dice, the
///   experiment's inferer) every val_interval epochs and after the last,
///   checkpoints (a CheckpointSaver as the experiment's "checkpoint"
///   section says; by default "checkpoint_epoch=N.pt" and "checkpoint.pt"
///   after every epoch and "best_model.pt" on a new best, each holding the
///   complete training state, see TrainingCheckpoint.h) and the
///   PyTorch-loadable "best_model_state.pt" on a new best, the observers'
///   events -> the best model's prediction for the first validation case.
/// The output folder also gets experiment.json, train.log (StatsHandler),
/// metrics.csv, val_cases_epoch<N>.csv and val_cases_best.csv (MetricsSaver)
/// and a TensorBoard event file (TensorBoardHandler). The experiment's
/// "handlers" section sets early stopping, the TensorBoard, validation and
/// train.log options (Experiment.h).
/// The run uses trainer.device (CUDA when available by default); data stays
/// on the CPU until each batch is moved there.
/// Cancellation is checked before every iteration and every validation
/// case, so a run stops within one iteration; written checkpoints stay and
/// checkpoint.pt gets the state to resume from (resumeFrom()); a run
/// resumed from a cancel inside an epoch's validation redoes that epoch's
/// end first (CheckpointSaver.h).

#include <memory>
#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/distributed/DistributedEnv.h"
#include "engine/training/Experiment.h"
#include "engine/training/TrainingEvents.h"

namespace medulla {

class Trainer {
public:
    explicit Trainer(ExperimentConfig config);
    ~Trainer();

    /// Observers are called on the thread running run(); not owned.
    void addObserver(TrainingObserver* observer);
    /// Continue the run saved in `checkpoint` (a TrainingCheckpoint, e.g.
    /// <output_dir>/checkpoint.pt) instead of starting afresh: the model,
    /// optimizer, lr schedule, progress, random generators and SmartCache
    /// position are restored before the first iteration, which is the one
    /// after the saved state. Empty: a fresh run. Errors (missing file,
    /// another network) are thrown by run() and name the file.
    void resumeFrom(std::string checkpoint);

    /// Make this run one process of a distributed run (engine/training/
    /// DistributedRun.h): run() joins the others at env's MASTER_ADDR:PORT
    /// with the experiment's "distributed" options. The CLI passes
    /// DistributedEnv::fromEnvironment(); a world size of 1 is a plain run.
    void setDistributed(DistributedEnv env);
    /// Rank 0 of a distributed run, on the thread running run() (an
    /// observer that blocks while paused): tells the other ranks to wait
    /// without a time limit. No effect otherwise.
    void pausing(bool paused);

    /// Run to completion. Returns Completed or Cancelled; throws on failure
    /// (medulla::Error subclasses name the file or field).
    JobState run(const CancelToken& cancel);

    const ExperimentConfig& config() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace medulla
