#pragma once
/// MONAI's squeeze-and-excitation blocks (monai.networks.blocks):
/// ChannelSELayer (global average pool -> fc -> act -> fc -> act, a weight
/// per channel), SEBlock (three Convolutions, the SE layer and a residual
/// projection) and SENet's bottlenecks built on it. Child names match MONAI
/// ("conv1.conv.weight", "se_layer.fc.0.weight", "project.adn.N.weight").

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>

#include <optional>

#include "engine/networks/Convolution.h"
#include "engine/networks/LayerSpec.h"
#include "engine/networks/Sequence.h"

namespace medulla {

struct ChannelSELayerOptions {
    int spatial_dims = 3;
    int64_t in_channels = 1;
    /// Reduction ratio: the hidden layer has in_channels / r units (>= 1).
    int64_t r = 2;
    LayerSpec acti_type_1 = LayerSpec("relu", {{"inplace", true}});
    LayerSpec acti_type_2 = "sigmoid";
    /// ResidualSELayer: the input is added to the result.
    bool add_residual = false;
};

/// (B, C, *spatial) -> same shape, each channel scaled by its excitation.
class ChannelSELayerImpl : public torch::nn::Module {
public:
    /// ConfigError ("r") when in_channels / r < 1.
    explicit ChannelSELayerImpl(const ChannelSELayerOptions& options);
    at::Tensor forward(at::Tensor x);

private:
    bool addResidual_;
    torch::nn::AnyModule avgPool_;
    Sequence fc_{nullptr};
};
TORCH_MODULE(ChannelSELayer);

struct SEBlockOptions {
    int spatial_dims = 3;
    int64_t in_channels = 1;
    int64_t n_chns_1 = 1, n_chns_2 = 1, n_chns_3 = 1;
    /// Convolutions in_channels -> n_chns_1 -> n_chns_2 -> n_chns_3; their
    /// spatial_dims / in / out channels are set from the fields above.
    ConvolutionOptions conv_param_1, conv_param_2, conv_param_3;
    /// Residual projection; absent: a 1x convolution (with bias) when
    /// in_channels != n_chns_3, else identity.
    std::optional<ConvolutionOptions> project;
    int64_t r = 2;
    LayerSpec acti_type_1 = LayerSpec("relu", {{"inplace", true}});
    LayerSpec acti_type_2 = "sigmoid";
    /// After the sum; none = identity.
    LayerSpec acti_type_final = LayerSpec("relu", {{"inplace", true}});

    /// MONAI's SEBlock defaults: conv1 1x (batch norm, relu), conv2 3x
    /// (batch, relu), conv3 1x (batch, no act).
    static SEBlockOptions defaults(int spatialDims, int64_t in, int64_t n1, int64_t n2, int64_t n3);
};

/// SENet's residual bottlenecks (expansion 4: output planes * 4 channels).
enum class SEBottleneckKind {
    SEBottleneck,        ///< SENet154: widths planes*2, planes*4; stride in conv2
    SEResNetBottleneck,  ///< widths planes, planes; stride in conv1
    SEResNeXtBottleneck, ///< widths floor(planes * 4 / 64) * groups; stride in conv2
};

/// The bottleneck's SEBlockOptions; `downsample` (if any) is the projection.
SEBlockOptions seBottleneck(SEBottleneckKind kind, int spatialDims, int64_t inplanes,
                            int64_t planes, int64_t groups, int64_t reduction, int64_t stride,
                            std::optional<ConvolutionOptions> downsample);

/// (B, in_channels, *spatial) -> (B, n_chns_3, *spatial / stride).
class SEBlockImpl : public torch::nn::Module {
public:
    explicit SEBlockImpl(const SEBlockOptions& options);
    at::Tensor forward(at::Tensor x);

private:
    Convolution conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
    ChannelSELayer seLayer_{nullptr};
    torch::nn::AnyModule project_; ///< empty = identity
    torch::nn::AnyModule act_;     ///< empty = identity
};
TORCH_MODULE(SEBlock);

} // namespace medulla
