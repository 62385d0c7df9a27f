#pragma once
/// Base of every registered network: a torch Module with a single-tensor
/// forward, input (B, in_channels, *spatial) -> output (B, out_channels, ...).

#include <torch/nn/module.h>

#include "engine/core/Params.h"

namespace medulla {

class Network : public torch::nn::Module {
public:
    virtual at::Tensor forward(at::Tensor x) = 0;
    /// Channels of the output (classes for segmentation).
    virtual int64_t outChannels() const = 0;
    /// Every spatial input size must be a multiple of this.
    virtual int64_t sizeDivisor() const = 0;
    /// The constructor parameters ({"name": ..., ...}).
    virtual Json toJson() const = 0;
};

using NetworkPtr = std::shared_ptr<Network>;

/// Built-in networks (UNet, ...), filled on first use.
Registry<Network>& networkRegistry();

} // namespace medulla
