#pragma once
/// Convolutions whose backward pass runs as forward convolutions.
///
/// On CPU, LibTorch 1.13 computes a 3D convolution's gradients with oneDNN's
/// backward kernels, which for the small channel counts of 3D segmentation
/// networks take 3-4x the forward time. The same gradients are forward
/// convolutions in disguise, and oneDNN's forward kernels are fast:
///   - input gradient of a stride-1 convolution: the output gradient
///     convolved with the flipped, transposed kernel;
///   - input gradient of a transposed convolution: a strided convolution of
///     the output gradient with the same kernel;
///   - weight gradient: the input (batch and channel axes swapped) convolved
///     with the output gradient as the kernel (dilated by the stride).
/// The results equal ATen's up to float rounding; bench_unet_step shows the
/// gain. Anything else (CUDA, groups, dilation, oneDNN off, 1-D/2-D) takes
/// ATen's own path.
///
/// FastConv3dImpl / FastConvTranspose3dImpl are torch::nn::Conv3dImpl /
/// ConvTranspose3dImpl (same options, parameters "weight" and "bias", same
/// initialisation) with this forward, so `as<torch::nn::Conv3dImpl>()` still
/// finds them.

#include <torch/nn/modules/conv.h>

namespace medulla {

/// at::convolution(x, w, b, stride, padding, dilation 1, transposed,
/// outputPadding, groups 1) with the backward above.
at::Tensor fastConvolution(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b,
                           at::IntArrayRef stride, at::IntArrayRef padding, bool transposed,
                           at::IntArrayRef outputPadding);

class FastConv3dImpl : public torch::nn::Conv3dImpl {
public:
    using torch::nn::Conv3dImpl::Conv3dImpl;
    at::Tensor forward(const at::Tensor& x);
};
TORCH_MODULE(FastConv3d);

class FastConvTranspose3dImpl : public torch::nn::ConvTranspose3dImpl {
public:
    using torch::nn::ConvTranspose3dImpl::ConvTranspose3dImpl;
    at::Tensor forward(const at::Tensor& x);
};
TORCH_MODULE(FastConvTranspose3d);

} // namespace medulla
