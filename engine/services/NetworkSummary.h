#pragma once
/// What the studio's network editor shows about a configured network before
/// training: parameter count, output shape for the training patch, and an
/// estimate of the memory one training step needs. Qt-free and
/// LibTorch-free (the ui layer includes it); the implementation builds the
/// network with the engine. Also lists the devices a run can use.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/Params.h"

namespace medulla {

struct NetworkSummary {
    /// False when the network could not be built or run on the patch; then
    /// `error` says why, naming the field ("network.channels: ...",
    /// "patch: ...").
    bool ok = false;
    std::string error;
    /// Elements of every parameter (buffers excluded).
    int64_t parameterCount = 0;
    /// float32 bytes of the parameters (parameterCount * 4).
    int64_t parameterBytes = 0;
    /// Output (N, C, *spatial) for an input (batchSize, in_channels, *patch).
    std::vector<int64_t> outputShape;
    int64_t inChannels = 0;
    /// Estimated CPU/GPU bytes of one training step at (batchSize, patch):
    ///   state       = 4 * parameterBytes (weights, gradients, Adam's two
    ///                 moments), plus
    ///   activations = measured: measureTrainingStep (NetworkProbe.h) on one
    ///                 case of a small probe patch (each size min(size, 32)
    ///                 rounded down to the network's size divisor), peak
    ///                 minus the state above, scaled linearly by
    ///                 batchSize * voxels(patch) / voxels(probe); halved with
    ///                 AMP (16-bit activations).
    /// An estimate: allocator scratch space and cuDNN workspaces are not in it.
    int64_t estimatedTrainingBytes = 0;
    /// The probe patch the activations were measured on.
    std::vector<int64_t> probePatch;
};

/// Builds `networkConfig` (registry JSON {"name": "UNet", ...}) on the CPU
/// and summarises it for `patchSize` (spatial sizes; when the network has
/// fewer spatial dims than given, the first ones are used). Never throws:
/// errors (and cancellation, error "cancelled") come back in `error`.
/// Runs one eval forward at the full patch (batch 1) and one training step
/// on the small probe: call it off the GUI thread. `cancel` (may be null)
/// is polled between the steps.
NetworkSummary summarizeNetwork(const Json& networkConfig, const std::vector<int64_t>& patchSize,
                                int64_t batchSize, bool amp, const CancelToken* cancel = nullptr);

/// A device a run can be given as trainer.device.
struct DeviceInfo {
    std::string id;    ///< "auto", "cpu", "cuda:0", ...
    std::string label; ///< for display, e.g. "cuda:0 (NVIDIA H100)"
};

/// "auto", "cpu" and "cuda:N" for every GPU this LibTorch can use.
std::vector<DeviceInfo> availableDevices();
/// Number of CUDA devices this LibTorch can use (0 on a CPU build).
int cudaDeviceCount();

} // namespace medulla
