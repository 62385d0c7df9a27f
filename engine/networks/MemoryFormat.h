#pragma once
/// Channels-last memory format for CPU training of 3D networks: oneDNN then
/// convolves without reordering every activation from and back to the
/// planar NCDHW layout (about 5-10 % of a 3D UNet training step on this
/// stack, bench_unet_step --channels-last). Values are unchanged; only the
/// strides differ, so state dicts and outputs are the same tensors.

#include <torch/nn/module.h>

namespace medulla {

/// True where channels-last is worth it: a CPU device, 5-D (3D) input and
/// oneDNN enabled in this LibTorch.
bool preferChannelsLast(c10::Device device, int64_t inputDims);

/// Re-lay every 4-D parameter/buffer as ChannelsLast and every 5-D one as
/// ChannelsLast3d, in place (the Parameter objects stay the same, so create
/// optimizers after or before alike).
void toChannelsLast(torch::nn::Module& net);

/// `x` in ChannelsLast (4-D) or ChannelsLast3d (5-D); other ranks unchanged.
at::Tensor channelsLast(const at::Tensor& x);

} // namespace medulla
