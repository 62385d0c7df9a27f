#pragma once
/// Base of every registered network: a torch Module with a single-tensor
/// forward. Segmentation networks map (B, in_channels, *spatial) to
/// (B, out_channels, *spatial); classifiers to (B, out_channels).
/// Each concrete network is `FooImpl : Network` with TORCH_MODULE(Foo) and a
/// `FooOptions` struct whose fields carry MONAI's parameter names.

#include <torch/nn/module.h>

#include "engine/core/Params.h"

namespace medulla {

class Network : public torch::nn::Module {
public:
    virtual at::Tensor forward(at::Tensor x) = 0;
    /// Channels of the output (classes for segmentation and classification).
    virtual int64_t outChannels() const = 0;
    /// Every spatial input size must be a multiple of this (1: any size).
    virtual int64_t sizeDivisor() const = 0;
    /// The constructor parameters ({"name": ..., ...}), MONAI's names.
    virtual Json toJson() const = 0;
    /// An extra loss term computed by the last forward in training mode
    /// (SegResNetVAE's VAE loss); undefined for networks without one.
    virtual at::Tensor auxiliaryLoss() const { return {}; }
};

using NetworkPtr = std::shared_ptr<Network>;

/// Built-in networks (UNet, DynUNet, ...), filled on first use.
Registry<Network>& networkRegistry();

} // namespace medulla
