#pragma once
/// MONAI's HighResNet (Li et al., IPMI 2017): an initial Convolution, dilated
/// residual HighResBlocks (dilation 2**i for the i-th group of layer_params)
/// and two final 1x1 Convolutions, all in "blocks". State-dict keys are
/// MONAI's ("blocks.0.conv.weight", "blocks.1.layers.0.N.weight",
/// "blocks.1.chn_pad.project.weight", ...).
/// Input (B, in_channels, *spatial), any size -> (B, out_channels, *spatial).

#include <torch/arg.h>
#include <torch/nn/modules/container/any.h>

#include "engine/networks/LayerSpec.h"
#include "engine/networks/Network.h"
#include "engine/networks/Sequence.h"

namespace medulla {

/// MONAI's HighResBlock: ("layers") ADN "NA" + conv-only Convolution per
/// kernel, plus the input matched to out_channels ("chn_pad": zero channel
/// padding, or a 1x1 "project" convolution).
/// (B, in_channels, *spatial) -> (B, out_channels, *spatial).
class HighResBlockImpl : public torch::nn::Module {
public:
    HighResBlockImpl(int spatialDims, int64_t inChannels, int64_t outChannels,
                     const std::vector<Json>& kernels, int64_t dilation, const LayerSpec& norm,
                     const LayerSpec& act, bool bias, const std::string& channelMatching);
    at::Tensor forward(at::Tensor x);

private:
    Sequence layers_{nullptr};
    torch::nn::AnyModule project_;    ///< empty: no projection
    std::vector<int64_t> pad_;        ///< F.pad widths; empty: none
    torch::nn::AnyModule inplaceAct_; ///< MONAI's in-place activation reaching the input
};
TORCH_MODULE(HighResBlock);

struct HighResNetOptions {
    /// MONAI's DEFAULT_LAYER_PARAMS_3D.
    static Json defaultLayerParams();

    TORCH_ARG(int64_t, spatial_dims) = 3;
    TORCH_ARG(int64_t, in_channels) = 1;
    TORCH_ARG(int64_t, out_channels) = 1;
    TORCH_ARG(LayerSpec, norm_type) = LayerSpec("batch", {{"affine", true}});
    TORCH_ARG(LayerSpec, acti_type) = LayerSpec("relu", {{"inplace", true}});
    /// Dropout after the two final convolutions (none: no module).
    TORCH_ARG(LayerSpec, dropout_prob) = LayerSpec::dropout(0.0);
    TORCH_ARG(bool, bias) = false;
    /// MONAI's list of layer dicts: {"n_features", "kernel_size"} first,
    /// {"n_features", "kernels", "repeat"} for residual groups, then
    /// {"n_features", "kernel_size"} and {"kernel_size"}.
    TORCH_ARG(Json, layer_params) = defaultLayerParams();
    /// "pad" or "project".
    TORCH_ARG(std::string, channel_matching) = "pad";
};

class HighResNetImpl : public Network {
public:
    /// ConfigError for malformed layer_params or bad choices.
    explicit HighResNetImpl(HighResNetOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);

    at::Tensor forward(at::Tensor x) override;
    int64_t outChannels() const override { return options_.out_channels(); }
    int64_t sizeDivisor() const override { return 1; }
    Json toJson() const override;
    const HighResNetOptions& options() const { return options_; }

private:
    HighResNetOptions options_;
    Sequence blocks_{nullptr};
};
TORCH_MODULE(HighResNet);

} // namespace medulla
