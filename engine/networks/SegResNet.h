#pragma once
/// MONAI's SegResNet (Myronenko 2018, monai.networks.nets.SegResNet) and its
/// ResBlock, weight-compatible: "act_mod", "convInit", "down_layers.i" (a
/// strided conv, Identity at level 0, then ResBlocks), "up_layers.i",
/// "up_samples.i" (1x1 conv + UpSample), "conv_final" (norm, act, 1x1 conv),
/// "dropout" (Dropout2d/3d of dropout_prob, when given).
/// Input (B, in_channels, *spatial), every size a multiple of
/// 2^(len(blocks_down) - 1) -> (B, out_channels, *spatial) (init_filters
/// channels without use_conv_final).

#include <torch/arg.h>

#include <optional>

#include "engine/networks/LayerSpec.h"
#include "engine/networks/Network.h"
#include "engine/networks/Sequence.h"

namespace medulla {

struct SegResNetOptions {
    TORCH_ARG(int64_t, spatial_dims) = 3;
    TORCH_ARG(int64_t, init_filters) = 8;
    TORCH_ARG(int64_t, in_channels) = 1;
    TORCH_ARG(int64_t, out_channels) = 2;
    /// None: no dropout module.
    TORCH_ARG(std::optional<double>, dropout_prob) = std::nullopt;
    TORCH_ARG(LayerSpec, act) = "relu";
    TORCH_ARG(LayerSpec, norm) = LayerSpec("group", {{"num_groups", 8}});
    /// Deprecated MONAI option: "" or "group" (then norm = group of num_groups).
    TORCH_ARG(std::string, norm_name) = "";
    TORCH_ARG(int64_t, num_groups) = 8;
    TORCH_ARG(bool, use_conv_final) = true;
    TORCH_ARG(std::vector<int64_t>, blocks_down) = {1, 2, 2, 4};
    TORCH_ARG(std::vector<int64_t>, blocks_up) = {1, 1, 1};
    /// nontrainable (linear, align_corners false), deconv or pixelshuffle.
    TORCH_ARG(std::string, upsample_mode) = "nontrainable";
};

/// MONAI's segresnet ResBlock: norm1, act, conv1, norm2, act, conv2, + input.
class SegResBlockImpl : public torch::nn::Module {
public:
    SegResBlockImpl(int dims, int64_t channels, const LayerSpec& norm, const LayerSpec& act);
    at::Tensor forward(at::Tensor x);

private:
    torch::nn::AnyModule norm1_, norm2_, act_, conv1_, conv2_;
};
TORCH_MODULE(SegResBlock);

class SegResNetImpl : public Network {
public:
    explicit SegResNetImpl(SegResNetOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);

    at::Tensor forward(at::Tensor x) override;
    int64_t outChannels() const override;
    int64_t sizeDivisor() const override;
    Json toJson() const override;
    const SegResNetOptions& options() const { return options_; }
    /// A Convolution (conv_only) as MONAI's segresnet get_conv_layer.
    static torch::nn::AnyModule convLayer(int dims, int64_t in, int64_t out, int64_t kernel,
                                          int64_t stride, bool bias);

protected:
    /// The norm in use (norm, or group of num_groups with norm_name "group").
    const LayerSpec& norm() const { return norm_; }
    /// (B, C, ...) -> deepest features; `down` gets every level's output.
    at::Tensor encode(at::Tensor x, std::vector<at::Tensor>& down);
    /// Deepest features + the encoder outputs (shallowest first) -> output.
    at::Tensor decode(at::Tensor x, const std::vector<at::Tensor>& down);
    /// The shared activation module ("act_mod").
    torch::nn::AnyModule act_;
    /// A Sequence norm, act alias, 1x1 conv to `out` (MONAI's _make_final_conv).
    Sequence finalConv(int64_t out);
    /// One up-sampling step of `channels` channels in upsample_mode.
    torch::nn::AnyModule upsampleLayer(int64_t channels) const;
    std::vector<Sequence> upSamples_, upLayers_;

private:
    SegResNetOptions options_;
    LayerSpec norm_;
    torch::nn::AnyModule convInit_, dropout_;
    std::vector<Sequence> downLayers_;
    Sequence convFinal_{nullptr};
};
TORCH_MODULE(SegResNet);

/// SegResNet's dropout_prob parameter: a probability, or null for none.
std::optional<double> readDropoutProb(const ParamReader& r);

} // namespace medulla
