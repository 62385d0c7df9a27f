#pragma once
/// MONAI's DenseNet (Huang et al., densely connected convolutional networks)
/// and its fixed-depth variants DenseNet121 / 169 / 201 / 264, in 1, 2 or 3
/// spatial dimensions. Same constructor parameters and the same state-dict
/// keys ("features.conv0.weight",
/// "features.denseblock1.denselayer1.layers.norm1.weight",
/// "class_layers.out.weight", ...), so MONAI weights load unchanged.
/// Input (B, in_channels, *spatial) -> class logits (B, out_channels).

#include <torch/arg.h>

#include <string>

#include "engine/networks/LayerSpec.h"
#include "engine/networks/Network.h"
#include "engine/networks/Sequence.h"

namespace medulla {

struct DenseNetOptions {
    TORCH_ARG(int64_t, spatial_dims) = 3;
    TORCH_ARG(int64_t, in_channels) = 1;
    TORCH_ARG(int64_t, out_channels) = 2;
    /// Filters of the first (7-wide, stride 2) convolution.
    TORCH_ARG(int64_t, init_features) = 64;
    /// Channels each dense layer adds (k in the paper).
    TORCH_ARG(int64_t, growth_rate) = 32;
    /// Dense layers per block; a transition (halving channels and size)
    /// follows every block but the last.
    TORCH_ARG(std::vector<int64_t>, block_config) = {6, 12, 24, 16};
    /// Bottleneck width factor: bn_size * growth_rate channels.
    TORCH_ARG(int64_t, bn_size) = 4;
    TORCH_ARG(LayerSpec, act) = LayerSpec("relu", {{"inplace", true}});
    TORCH_ARG(LayerSpec, norm) = "batch";
    /// Dropout after each dense layer (a DropoutNd module when > 0).
    TORCH_ARG(double, dropout_prob) = 0.0;
};

class DenseNetImpl : public Network {
public:
    /// `variant` is the registered name ("DenseNet", "DenseNet121", ...),
    /// kept for toJson. Throws ConfigError for bad sizes.
    explicit DenseNetImpl(DenseNetOptions options, std::string variant = "DenseNet");

    /// Schema of `variant`: "DenseNet" or one of the fixed-depth names.
    static ComponentInfo info(const std::string& variant = "DenseNet");
    static std::shared_ptr<Network> fromJson(const std::string& variant, const Json& config,
                                             const std::string& context);
    /// The registered names: DenseNet, DenseNet121, DenseNet169, DenseNet201,
    /// DenseNet264.
    static std::vector<std::string> variantNames();

    at::Tensor forward(at::Tensor x) override;
    int64_t outChannels() const override { return options_.out_channels(); }
    int64_t sizeDivisor() const override { return 1; }
    Json toJson() const override;
    const DenseNetOptions& options() const { return options_; }

private:
    DenseNetOptions options_;
    std::string variant_;
    Sequence features_{nullptr};
    Sequence classLayers_{nullptr};
};
TORCH_MODULE(DenseNet);

} // namespace medulla
