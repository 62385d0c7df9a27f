#pragma once
/// Training checkpoints, written atomically (temporary file + rename) so a
/// crash or a full disk never leaves a half-written file in place.

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <string>

namespace medulla {

struct CheckpointInfo {
    int64_t epoch = 0;
    double bestMetric = -1;
};

/// Save model parameters/buffers, optimizer state and progress to `path`.
/// Throws IoError naming the file; an existing checkpoint stays intact.
void saveCheckpoint(const std::string& path, const torch::nn::Module& model,
                    const torch::optim::Optimizer* optimizer, const CheckpointInfo& info);

/// Load into an already-built model (and optimizer if given). Throws IoError
/// naming the file, or ShapeError/ConfigError naming a mismatching key.
CheckpointInfo loadCheckpoint(const std::string& path, torch::nn::Module& model,
                              torch::optim::Optimizer* optimizer = nullptr);

} // namespace medulla
