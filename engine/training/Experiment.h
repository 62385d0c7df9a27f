#pragma once
/// An experiment: one JSON file that both the CLI and the studio run.
///
///   { "name": "demo", "output_dir": "medulla-runs/demo",
///     "data": { "dataset": ".../dataset.json", "datalist_key": "training",
///               "val_fraction": 0.25, "synthetic": {...} },
///     "train_transforms": [...], "val_transforms": [...],
///     "network": {"name": "UNet", ...}, "loss": {"name": "DiceLoss", ...},
///     "optimizer": {"name": "Adam", "lr": 1e-3},
///     "scheduler": {"name": "PolynomialLR", "total_iters": 20, "power": 0.9},
///     "inferer": {"name": "SlidingWindowInferer", "roi_size": [96, 96, 96]},
///     "trainer": {"max_epochs": 20, "batch_size": 2, "nan_policy": "stop", ...},
///     "handlers": {"early_stop": {"patience": 5, "monitor": "metric"},
///                  "tensorboard": {"enabled": true, "iteration_log": 1},
///                  "validation": {"exec_at_start": false, "exec_at_end": true},
///                  "stats": {"iteration_log": true, "epoch_log": true}},
///     "distributed": {"nproc_per_node": 2, "timeout_s": 300} }
///
/// Relative paths resolve against the current directory. When
/// data.synthetic is present and data.dataset does not exist yet, the
/// seeded synthetic dataset is written there first.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Params.h"

namespace medulla {

struct SyntheticDatasetOptions;

struct TrainerOptions {
    int64_t max_epochs = 20;
    int64_t batch_size = 2;
    int64_t val_interval = 1;
    uint64_t seed = 0;
    int64_t threads = 0; ///< 0: all hardware threads
    /// "auto" (CUDA when this LibTorch has a usable GPU, else CPU), "cpu" or
    /// "cuda" / "cuda:N" (an error when no GPU is usable).
    std::string device = "auto";
    /// A non-finite training loss: "stop" the run with an error naming the
    /// epoch, iteration and cases, or "skip" that batch's update.
    std::string nan_policy = "stop";
    /// Deterministic algorithms (see engine/training/Determinism.h): with a
    /// fixed `threads`, the same experiment gives bitwise the same weights,
    /// also across an interruption and `--resume`.
    bool deterministic = false;
    /// MONAI's amp: autocast (+ a gradient scaler on CUDA); AmpHooks.h.
    bool amp = false;
    /// Batches whose gradients are summed before each optimizer step
    /// (SupervisedTrainerOptions::accumulation_steps).
    int64_t accumulation_steps = 1;
    static std::vector<ParamSpec> params();
};

struct ExperimentConfig {
    std::string name = "experiment";
    std::string outputDir; ///< checkpoints, logs, predictions
    std::string dataset;   ///< Decathlon dataset.json
    std::string datalistKey = "training";
    /// A datalist section to validate on ("data.validation_key"); empty:
    /// val_fraction of datalist_key, split with the seed.
    std::string validationKey;
    double valFraction = 0.2;
    Json synthetic; ///< null, or options of the synthetic generator
    /// The training dataset kind and its options ("data.cache"):
    /// {"name": "CacheDataset" | "SmartCacheDataset" | "PersistentDataset" |
    /// "Dataset", ...}; see datasetKinds().
    Json datasetConfig = Json{{"name", "CacheDataset"}};
    /// Threads building training batches ahead of the network ("data.num_workers").
    int64_t loaderWorkers = 1;
    Json trainTransforms; ///< list
    Json valTransforms;   ///< list
    Json network;
    Json loss;
    Json optimizer;
    /// null, or an lr schedule {"name": "WarmupCosineSchedule", ...,
    /// "epoch_level": true} (see engine/optim/LrScheduler.h).
    Json scheduler;
    /// null (SimpleInferer), or how validation predicts a case
    /// {"name": "SlidingWindowInferer", "roi_size": [...], ...} (see
    /// engine/inference/InfererFactory.h).
    Json inferer;
    /// null (the defaults), or what the run's CheckpointSaver writes in
    /// output_dir {"save_interval": 1, "epoch_level": true, "n_saved": 1, ...}
    /// (MONAI's names; see checkpointSaverParams() in
    /// engine/training/handlers/CheckpointSaver.h).
    Json checkpoint;
    TrainerOptions trainer;
    /// null (the defaults), or options of the handlers a run attaches, one
    /// object per section (handlerSections(); null or absent: defaults):
    ///   "early_stop"   EarlyStopHandlerOptions (MONAI's names); absent or
    ///                  null: no early stopping
    ///   "tensorboard"  TensorBoardHandlerOptions::params(): event files in
    ///                  the run folder unless "enabled": false
    ///   "validation"   exec_at_start (validate before the first epoch of a
    ///                  fresh run), exec_at_end (also after the last epoch);
    ///                  the interval is trainer.val_interval
    ///   "stats"        train.log's iteration_log / epoch_log lines
    /// Unknown sections and parameters are ConfigErrors naming
    /// "handlers.<section>.<field>".
    Json handlers;
    /// null, or the multi-process options (engine/distributed/
    /// DistributedOptions.h): {"nproc_per_node": 2, "timeout_s": 300, ...}.
    /// Used when the run is started by `medulla launch` or the studio with
    /// several processes.
    Json distributed;

    /// Parse and validate (every component is built once to check its
    /// parameters). Throws ConfigError naming the field; `source` (the
    /// file name) is added to the message.
    static ExperimentConfig fromJson(const Json& j, const std::string& source = {});
    /// Read a file; throws IoError/ConfigError naming it.
    static ExperimentConfig load(const std::string& path);
    Json toJson() const;
    /// The "handlers" section `name` as given; null when absent.
    Json handler(const std::string& name) const;
};

/// The sections of the experiment's "handlers" object: "early_stop",
/// "tensorboard", "validation", "stats".
const std::vector<std::string>& handlerSections();
/// The parameters of one section (for editors and the reader). Throws
/// ConfigError naming "handlers.<section>" for an unknown section.
std::vector<ParamSpec> handlerParams(const std::string& section);

/// Read data.synthetic (generator options); errors name "data.synthetic.*".
SyntheticDatasetOptions syntheticOptionsFromJson(const Json& j);

} // namespace medulla
