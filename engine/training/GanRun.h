#pragma once
/// A GAN experiment (GanExperiment.h) run to completion on the calling
/// thread, the way Trainer runs a supervised one: prepare the data (write
/// the synthetic set if configured, cache the deterministic transforms),
/// build the generator, the discriminator and their optimizers, then a
/// GanTrainer (MONAI's: d_train_steps discriminator updates and one
/// generator update per batch of reals) with handlers. It writes in
/// output_dir:
///   experiment.json      the experiment as run
///   train.log            StatsHandler lines, one per iteration with d_loss
///                        and g_loss (d_loss: the sum over the discriminator
///                        steps, as MONAI reports it)
///   metrics.csv          "epoch,g_loss,d_loss": per-epoch means (17
///                        significant digits; a resumed run keeps the rows of
///                        the epochs before it)
///   checkpoint_epoch=N.pt, checkpoint.pt   TrainingCheckpoints (parts
///                        "generator", "discriminator", "g_optimizer",
///                        "d_optimizer", "progress", "rng", "epoch_losses",
///                        and "smart_cache" with a SmartCacheDataset), written
///                        atomically as the "checkpoint" section says (by
///                        default after every epoch); checkpoint.pt also when
///                        the run is cancelled. resumeFrom() continues one.
///   generator_state.pt   the generator as a PyTorch-loadable state dict
///                        (MONAI's keys), after every epoch
///   samples.png          num_samples generated images from fixed latents
///                        (seeded by trainer.seed) tiled in a grid of
///                        ceil(sqrt(n)) columns with 2 black pixels between
///                        them; 2D images of 1 or 3 channels (else
///                        samples.nii.gz, the first channel, raw values).
///                        Values in [0, 1] are scaled by 255, others min-max
///                        to 0..255.
/// A non-finite g_loss or d_loss stops the run with an Error naming the
/// epoch and the iteration (so does a LibTorch error during training, e.g.
/// the binary cross-entropy refusing NaN probabilities).
///
/// Observers get onStateChanged(Running) at the start, onIteration per
/// iteration (loss = g_loss), onEpoch per epoch (meanLoss = mean g_loss, lr
/// = the generator optimizer's, valMeanDice = -1, checkpoint =
/// checkpoint.pt), onMessage lines (device, cases, the epoch's mean d_loss,
/// the files written); all on the thread running run().
///
/// Cancellation is checked before every iteration (and while waiting for
/// data), so a run stops within one iteration; written checkpoints stay.

#include <memory>
#include <string>

#include "engine/core/CancelToken.h"
#include "engine/training/GanExperiment.h"
#include "engine/training/TrainingEvents.h"

namespace medulla {

/// The files of a run (full paths).
struct GanRunFiles {
    std::string checkpoint;     ///< the newest resumable state ("" when disabled)
    std::string generatorState; ///< generator_state.pt
    std::string samples;        ///< the sample grid (written at the end)
    std::string metrics;        ///< metrics.csv
    std::string log;            ///< train.log
};

class GanRun {
public:
    explicit GanRun(GanExperimentConfig config);
    ~GanRun();

    /// Called on the thread running run(); not owned.
    void addObserver(TrainingObserver* observer);
    /// Continue the run saved in `checkpoint` (e.g. <output_dir>/checkpoint.pt):
    /// networks, optimizers, progress, random generators, the epoch's loss
    /// sums (and the SmartCache position) are restored before the first
    /// iteration, which is the one after the saved state. Empty: a fresh
    /// run. Errors (missing file, other networks) are thrown by run().
    void resumeFrom(std::string checkpoint);

    /// Run to completion. Returns Completed or Cancelled; throws on failure
    /// (medulla::Error subclasses name the file or field).
    JobState run(const CancelToken& cancel);

    const GanExperimentConfig& config() const;
    /// Where the run writes (known from construction).
    const GanRunFiles& files() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace medulla
