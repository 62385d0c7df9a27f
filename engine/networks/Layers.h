#pragma once
/// Layer factories with MONAI's names: activation ("prelu", "relu", ...),
/// normalisation ("batch", "instance", "none") and convolutions, for 2 or 3
/// spatial dimensions. Each returns an AnyModule callable as forward(x).

#include <torch/nn/modules/container/any.h>

#include <string>

namespace medulla {

/// Activation by MONAI name (case-insensitive): prelu (1 parameter, 0.25),
/// relu, leakyrelu (slope 0.01), elu, gelu, tanh, sigmoid. Throws ConfigError.
torch::nn::AnyModule makeActivation(const std::string& name);

/// Normalisation by MONAI name: batch (affine, running stats), instance
/// (no affine, no running stats), none -> empty module. Throws ConfigError.
torch::nn::AnyModule makeNorm(const std::string& name, int spatialDims, int64_t channels);

/// Conv{2,3}d or ConvTranspose{2,3}d with MONAI's "same" padding
/// (k - 1) / 2 and, for transposed convolutions, output_padding = stride - 1.
torch::nn::AnyModule makeConv(int spatialDims, int64_t in, int64_t out, int64_t kernel,
                              int64_t stride, bool transposed, bool bias, int64_t padding = -1);

} // namespace medulla
