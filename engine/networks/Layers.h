#pragma once
/// Layer factories with MONAI's names and arguments (monai.networks.layers
/// Act / Norm / Dropout / Conv / Pool), for 1, 2 or 3 spatial dimensions.
/// Each returns an AnyModule callable as forward(Tensor) -> Tensor whose
/// parameter names are PyTorch's ("weight", "bias", "running_mean", ...), so
/// state-dict keys match MONAI's. Errors are ConfigErrors naming the layer.

#include <torch/nn/modules/container/any.h>
#include <torch/nn/options/batchnorm.h>

#include <functional>
#include <string>
#include <vector>

#include "engine/networks/LayerSpec.h"

namespace medulla {

/// elu (alpha), relu, leakyrelu (negative_slope 0.01), prelu (num_parameters
/// 1, init 0.25), relu6, selu, celu (alpha), gelu, sigmoid, tanh, softmax /
/// logsoftmax (dim 1), swish (alpha 1), memswish, mish. A none spec gives an
/// empty AnyModule.
torch::nn::AnyModule makeActivation(const LayerSpec& spec);

/// batch (eps, momentum, affine, track_running_stats), syncbatch (the same
/// arguments; built by the SyncBatchNorm factory when one is set, else plain
/// BatchNorm, which is what it computes in one process), instance (affine false,
/// track_running_stats false), instance_nvfuser (= instance), group (num_groups required, eps,
/// affine), layer (normalized_shape required), localresponse (size).
torch::nn::AnyModule makeNorm(const LayerSpec& spec, int spatialDims, int64_t channels);

/// Builds the module of a "syncbatch" norm from BatchNorm options and the
/// spatial dimensions (1, 2 or 3); it must carry BatchNorm's parameter and
/// buffer names.
using SyncBatchNormFactory =
    std::function<torch::nn::AnyModule(const torch::nn::BatchNormOptions&, int spatialDims)>;
/// Sets the factory makeNorm uses for "syncbatch" (an empty function: plain
/// BatchNorm again). A hook because the networks library sits below the
/// distributed one that implements synchronized batch norm:
/// engine/distributed's registerSyncBatchNorm() installs SyncBatchNorm.
/// Thread-safe; networks built before the call keep their modules.
void setSyncBatchNormFactory(SyncBatchNormFactory factory);

/// dropout (p; dropoutDim 1 -> Dropout, 2 -> Dropout2d, 3 -> Dropout3d),
/// alphadropout (p).
torch::nn::AnyModule makeDropout(const LayerSpec& spec, int dropoutDim);

/// max / avg (kernel_size, stride = kernel, padding 0, ceil_mode),
/// adaptivemax / adaptiveavg (output_size).
torch::nn::AnyModule makePool(const LayerSpec& spec, int spatialDims);

/// A convolution. Sizes are one value (isotropic) or one per spatial axis.
struct ConvSpec {
    int spatial_dims = 3;
    int64_t in_channels = 1;
    int64_t out_channels = 1;
    std::vector<int64_t> kernel_size{3};
    std::vector<int64_t> stride{1};
    /// Empty: MONAI's same padding (k - 1) / 2 * dilation (odd kernels only).
    std::vector<int64_t> padding;
    std::vector<int64_t> dilation{1};
    /// Transposed only; empty: stride - 1.
    std::vector<int64_t> output_padding;
    int64_t groups = 1;
    bool bias = true;
    bool transposed = false;
};

/// Conv{1,2,3}d or ConvTranspose{1,2,3}d (weights "weight", "bias").
torch::nn::AnyModule makeConv(const ConvSpec& spec);

/// One value per spatial axis: `v` of size 1 is repeated; otherwise it must
/// have `dims` values (ConfigError naming `field`).
std::vector<int64_t> perAxis(const std::vector<int64_t>& v, int dims, const std::string& field);

/// MONAI's same_padding: (k - 1) / 2 * d per axis; ConfigError for even
/// (k - 1) * d.
std::vector<int64_t> samePadding(const std::vector<int64_t>& kernel,
                                 const std::vector<int64_t>& dilation, int dims);

/// ConfigError unless dims is 1, 2 or 3.
void checkSpatialDims(int64_t dims, const std::string& field);

} // namespace medulla
