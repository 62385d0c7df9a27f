#pragma once
/// MONAI's CheckpointLoader handler: at STARTED (once per handler), loads a
/// TrainingCheckpoint file into the registered components, so that run()
/// continues where the checkpoint was taken: with a "progress" part the
/// workflow's epoch / epochIteration / iteration / best metric are restored
/// and the next iteration is the one after the saved state; the run keeps
/// its own maxEpochs (so a resumed run may be extended).
///
/// Errors (thrown from STARTED, so run() fails before any iteration):
/// IoError naming the file (missing, unreadable, not a training checkpoint,
/// a newer format); ConfigError naming the file and the part (the network
/// or optimizer differs, a needed part is absent); ConfigError naming
/// trainer.max_epochs when the checkpoint is past the run's last epoch.

#include <torch/arg.h>
#include <torch/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/training/TrainingCheckpoint.h"
#include "engine/training/Workflow.h"

namespace medulla {

struct CheckpointLoaderOptions {
    explicit CheckpointLoaderOptions(std::string load_path) : load_path_(std::move(load_path)) {}
    /// The checkpoint file.
    TORCH_ARG(std::string, load_path);
    /// Parts to load (MONAI's load_dict keys: "model", "optimizer", ...);
    /// empty: every part registered on the checkpoint.
    TORCH_ARG(std::vector<std::string>, parts) = {};
    /// Keys and shapes of the network, and the optimizer's groups, must
    /// match; non-strict loads what matches and reports the rest.
    TORCH_ARG(bool, strict) = true;
    /// Device of the loaded tensors; unset: the model's device.
    TORCH_ARG(std::optional<torch::Device>, map_location) = std::nullopt;
};

class CheckpointLoader : public Handler {
public:
    CheckpointLoader(std::shared_ptr<TrainingCheckpoint> checkpoint,
                     CheckpointLoaderOptions options);

    void attach(Workflow& workflow) override;
    /// Loads now (what STARTED does); returns the load's notes.
    std::vector<std::string> load(Workflow& workflow);

    /// Receives "restored ... from FILE" and the notes of a non-strict load.
    void setLogger(std::function<void(const std::string&)> log) { log_ = std::move(log); }
    bool loaded() const { return loaded_; }
    const CheckpointLoaderOptions& options() const { return options_; }

private:
    std::shared_ptr<TrainingCheckpoint> checkpoint_;
    CheckpointLoaderOptions options_;
    std::function<void(const std::string&)> log_;
    bool loaded_ = false;
};

} // namespace medulla
