#pragma once
/// A GAN experiment: one JSON file with "workflow": "gan" that `medulla
/// train` (and the studio) runs through GanRun, after MONAI's GAN tutorial
/// (MedNIST hands, 64x64, GanTrainer):
///
///   { "workflow": "gan", "name": "gan-demo", "output_dir": "medulla-runs/gan",
///     "data": { "dataset": ".../dataset.json", "datalist_key": "training",
///               "image_key": "image", "cache": {"name": "CacheDataset"},
///               "num_workers": 1, "synthetic": {"size": [64, 64], ...} },
///     "train_transforms": [{"name": "LoadImaged", "keys": ["image"]}, ...],
///     "generator": {"name": "Generator", "latent_shape": [64],
///                   "start_shape": [64, 8, 8], "channels": [32, 16, 8, 1],
///                   "strides": [2, 2, 2, 1]},
///     "discriminator": {"name": "Discriminator", "in_shape": [1, 64, 64],
///                       "channels": [8, 16, 32, 64, 1], "strides": [2, 2, 2, 2, 1],
///                       "num_res_units": 1, "kernel_size": 5},
///     "g_optimizer": {"name": "Adam", "lr": 0.0002, "betas": [0.5, 0.999]},
///     "d_optimizer": {"name": "Adam", "lr": 0.0002, "betas": [0.5, 0.999]},
///     "gan": {"latent_size": 64, "d_train_steps": 5, "g_update_latents": true,
///             "normal_init": true, "generator_sigmoid": true, "num_samples": 16},
///     "checkpoint": {...},
///     "trainer": {"max_epochs": 50, "batch_size": 16, "seed": 0, "threads": 0,
///                 "device": "auto", "deterministic": false} }
///
/// Sections:
/// - data: as in a supervised experiment (Experiment.h) without a
///   validation split (every case of datalist_key trains); image_key names
///   the real images in the samples. data.synthetic writes a seeded
///   synthetic set at data.dataset when it does not exist yet: "size" with
///   2 values gives 8-bit PNG pictures (discs), with 3 values NIfTI volumes
///   (spheres); the other fields are those of a supervised experiment.
/// - generator / discriminator: any registered networks (MONAI's Generator
///   and Discriminator above). The generator maps (B, gan.latent_size) to
///   images; the discriminator maps images to probabilities (the losses are
///   the tutorial's binary cross-entropy, GanTrainer.h). Their consistency
///   is checked when the experiment is read: a Generator's latent_shape must
///   hold latent_size values, and the discriminator must take the
///   generator's output (both are run once on a zero latent).
/// - g_optimizer / d_optimizer: optional; default Adam lr 2e-4, betas (0.5,
///   0.999) (the tutorial's).
/// - gan: MONAI's GanTrainer arguments (latent_size = its latent_shape,
///   d_train_steps, g_update_latents) and the tutorial's extras: normal_init
///   (MONAI's normal_init, std 0.02, on both networks) and generator_sigmoid
///   (a sigmoid after the generator, for reals scaled to [0, 1]; adds no
///   parameter, so the state dict keeps MONAI's keys); num_samples: images
///   in the sample grid written at the end.
/// - checkpoint: the CheckpointSaver section of Experiment.h; a GAN run has
///   no key metric, so save_key_metric defaults to false (true is an error).
/// - trainer: max_epochs, batch_size, seed, threads, device, deterministic
///   with the meanings of Experiment.h's TrainerOptions.
///
/// Relative paths resolve against the current directory.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Params.h"

namespace medulla {

struct CheckpointSaverOptions;
struct SyntheticDatasetOptions;

/// The "gan" section.
struct GanSettings {
    int64_t latent_size = 64;
    int64_t d_train_steps = 1;
    bool g_update_latents = true;
    bool normal_init = false;
    bool generator_sigmoid = false;
    int64_t num_samples = 16;
    static std::vector<ParamSpec> params();
};

/// The "trainer" section of a GAN run.
struct GanTrainerSettings {
    int64_t max_epochs = 20;
    int64_t batch_size = 16;
    uint64_t seed = 0;
    int64_t threads = 0; ///< 0: all hardware threads
    std::string device = "auto";
    bool deterministic = false;
    static std::vector<ParamSpec> params();
};

struct GanExperimentConfig {
    std::string name = "gan";
    std::string outputDir;
    std::string dataset;
    std::string datalistKey = "training";
    std::string imageKey = "image";
    Json synthetic; ///< null, or the synthetic generator's options
    Json datasetConfig = Json{{"name", "CacheDataset"}};
    int64_t loaderWorkers = 1;
    Json trainTransforms; ///< list
    Json generator;
    Json discriminator;
    Json gOptimizer;
    Json dOptimizer;
    GanSettings gan;
    /// The CheckpointSaver section as given (null: defaults); read it with
    /// checkpointOptions().
    Json checkpoint;
    GanTrainerSettings trainer;

    /// Parse and validate (both networks are built and run once on a zero
    /// latent). Throws ConfigError naming the field; `source` (the file) is
    /// added to the message.
    static GanExperimentConfig fromJson(const Json& j, const std::string& source = {});
    /// Read a file; throws IoError/ConfigError naming it.
    static GanExperimentConfig load(const std::string& path);
    Json toJson() const;
};

/// Whether an experiment JSON is a GAN experiment ("workflow": "gan").
/// Absent or "supervised": false; any other value is a ConfigError naming
/// "workflow".
bool isGanExperiment(const Json& experiment);

/// Whether the experiment file is one; false when it cannot be read as JSON
/// (the supervised reader then reports that). ConfigError as above.
bool isGanExperimentFile(const std::string& path);

/// Read a GAN experiment's data.synthetic; errors name "data.synthetic.*".
SyntheticDatasetOptions ganSyntheticOptionsFromJson(const Json& j);

/// The run's CheckpointSaver options from the "checkpoint" section, saving
/// in `saveDir`: save_key_metric defaults to false; true is a ConfigError
/// naming checkpoint.save_key_metric (a GAN run has no key metric).
CheckpointSaverOptions ganCheckpointOptions(const Json& section, const std::string& saveDir);

} // namespace medulla
