#pragma once
/// MONAI's SENet (Hu et al., squeeze-and-excitation networks) and its named
/// variants SENet154, SEResNet50/101/152, SEResNeXt50/101, in 1, 2 or 3
/// spatial dimensions. Same constructor parameters and the same state-dict
/// keys ("layer0.conv1.weight", "layer1.0.conv1.conv.weight",
/// "layer1.0.se_layer.fc.0.weight", "layer1.0.project.adn.N.weight",
/// "last_linear.weight", ...), so MONAI weights load unchanged.
/// Input (B, in_channels, *spatial) -> class logits (B, num_classes).

#include <torch/arg.h>

#include <optional>
#include <string>

#include "engine/networks/Network.h"
#include "engine/networks/Sequence.h"
#include "engine/networks/SqueezeExcitation.h"

namespace medulla {

struct SENetOptions {
    TORCH_ARG(int64_t, spatial_dims) = 3;
    TORCH_ARG(int64_t, in_channels) = 1;
    /// "se_bottleneck", "se_resnet_bottleneck" or "se_resnetxt_bottleneck"
    /// (MONAI's spelling; the class names SEBottleneck, SEResNetBottleneck
    /// and SEResNeXtBottleneck are accepted too).
    TORCH_ARG(std::string, block) = "se_bottleneck";
    /// Residual blocks of layer1..layer4 (4 values).
    TORCH_ARG(std::vector<int64_t>, layers) = {3, 8, 36, 3};
    /// Groups of each bottleneck's 3x convolution.
    TORCH_ARG(int64_t, groups) = 64;
    /// Squeeze-and-excitation reduction ratio.
    TORCH_ARG(int64_t, reduction) = 16;
    /// Dropout before last_linear; nullopt = no dropout module (MONAI's None).
    TORCH_ARG(std::optional<double>, dropout_prob) = 0.2;
    /// 1: Dropout, 2: Dropout2d, 3: Dropout3d.
    TORCH_ARG(int64_t, dropout_dim) = 1;
    /// Channels entering layer1.
    TORCH_ARG(int64_t, inplanes) = 128;
    /// Kernel of the projections of layer2..layer4 (odd).
    TORCH_ARG(int64_t, downsample_kernel_size) = 3;
    /// layer0: three 3x convolutions (true) or one 7x convolution.
    TORCH_ARG(bool, input_3x3) = true;
    TORCH_ARG(int64_t, num_classes) = 1000;
};

class SENetImpl : public Network {
public:
    /// `variant` is the registered name ("SENet", "SEResNet50", ...), kept
    /// for toJson. Throws ConfigError for bad parameters.
    explicit SENetImpl(SENetOptions options, std::string variant = "SENet");

    /// Schema of `variant`: "SENet" or a named variant (its defaults).
    static ComponentInfo info(const std::string& variant = "SENet");
    static std::shared_ptr<Network> fromJson(const std::string& variant, const Json& config,
                                             const std::string& context);
    /// The registered names: SENet, SENet154, SEResNet50/101/152,
    /// SEResNeXt50/101 (and MONAI's class names SEResNext50/101).
    static std::vector<std::string> variantNames();

    at::Tensor forward(at::Tensor x) override;
    int64_t outChannels() const override { return options_.num_classes(); }
    int64_t sizeDivisor() const override { return 1; }
    Json toJson() const override;
    const SENetOptions& options() const { return options_; }

private:
    Sequence makeLayer(SEBottleneckKind kind, int64_t planes, int64_t blocks, int64_t stride,
                       int64_t downsampleKernel);

    SENetOptions options_;
    std::string variant_;
    int64_t inplanes_ = 0; ///< running channel count while building
    Sequence layer0_{nullptr}, layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr},
        layer4_{nullptr};
    torch::nn::AnyModule avgPool_, dropout_;
    torch::nn::Linear lastLinear_{nullptr};
};
TORCH_MODULE(SENet);

} // namespace medulla
