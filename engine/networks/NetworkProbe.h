#pragma once
/// What the network editor shows about a configured network before training:
/// parameter count, the output shape for an input shape, and the memory one
/// training step needs, measured (not estimated) by running it.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Params.h"
#include "engine/networks/Network.h"

namespace medulla {

/// Elements of every parameter (trainable or not; buffers excluded).
int64_t parameterCount(const torch::nn::Module& net);

/// The output shape for an input of `inputShape` (B, C, *spatial), from an
/// eval-mode forward of zeros under no_grad; the module's train/eval mode is
/// restored. Errors (wrong channels, sizes not divisible, ...) propagate as
/// thrown by LibTorch or the network, wrapped in a ShapeError naming "input".
std::vector<int64_t> outputShape(Network& net, const std::vector<int64_t>& inputShape);

struct StepMemory {
    /// Peak bytes of CPU tensor memory held during the step beyond what was
    /// held before it (activations, gradients, optimizer state), plus the
    /// parameters themselves.
    int64_t peakBytes = 0;
    int64_t parameterBytes = 0;
    double seconds = 0; ///< wall time of the measured step
};

/// Builds `config` (registry JSON) and runs one training step on CPU:
/// train-mode forward of random input (B, C, *spatial), loss = mean(output^2),
/// backward, Adam step. Allocations are counted by Medulla's CPU allocator
/// (engine/core/CpuAllocator.h, installed on first use); other threads
/// allocating at the same time add to the figure. oneDNN's internal scratch
/// buffers are not counted. Blocks of 1 MB and more count rounded up to 64 KB.
StepMemory measureTrainingStep(const Json& config, const std::vector<int64_t>& inputShape);

} // namespace medulla
