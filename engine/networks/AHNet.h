#pragma once
/// MONAI's AHNet (Anisotropic Hybrid Network, Liu et al. 2018), 2D or 3D: a
/// ResNet-50-style encoder of 3x3x1 Bottlenecks ("layer1".."layer4"), a dense
/// decoder of pseudo-3D layers ("up0", "dense0", ..., "trans1"), a pyramid
/// pooling module ("psp") and "final". State-dict keys are MONAI's
/// ("layer1.0.downsample.0.weight", "dense0.denselayer1.conv2.weight",
/// "psp.up_modules.0.weight", "final.conv.weight", ...). Weights are
/// initialised as MONAI does (normal(0, sqrt(2 / (k0 * k1 * out))) for
/// convolutions, ones/zeros for batch norms). `pretrained` is not supported
/// (it downloads torchvision weights).
/// Input (B, in_channels, *spatial); see sizeDivisor() -> (B, out_channels, *spatial).

#include <torch/arg.h>
#include <torch/nn/modules/container/any.h>

#include "engine/networks/Network.h"
#include "engine/networks/Sequence.h"

namespace medulla {

class AHNetPSPImpl;

struct AHNetOptions {
    /// Bottleneck blocks in layer1..layer4.
    TORCH_ARG(std::vector<int64_t>, layers) = {3, 4, 6, 3};
    /// 2 or 3.
    TORCH_ARG(int64_t, spatial_dims) = 3;
    TORCH_ARG(int64_t, in_channels) = 1;
    TORCH_ARG(int64_t, out_channels) = 1;
    /// Pyramid pooling branches, 0..4.
    TORCH_ARG(int64_t, psp_block_num) = 4;
    /// "transpose", "bilinear" (2D), "trilinear" (3D) or "nearest".
    TORCH_ARG(std::string, upsample_mode) = "transpose";
    /// Must be false: loading torchvision's ResNet-50 needs a download.
    TORCH_ARG(bool, pretrained) = false;
    /// Recorded only (MONAI's download progress bar).
    TORCH_ARG(bool, progress) = true;
};

class AHNetImpl : public Network {
public:
    /// ConfigError for bad dims, layers, psp_block_num, upsample_mode or pretrained.
    explicit AHNetImpl(AHNetOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);

    at::Tensor forward(at::Tensor x) override;
    int64_t outChannels() const override { return options_.out_channels(); }
    /// max(32, 2**(psp_block_num + 3)) with transposed up-sampling, else 32
    /// (MONAI's size rule, made one number for every axis).
    int64_t sizeDivisor() const override;
    Json toJson() const override;
    const AHNetOptions& options() const { return options_; }

private:
    AHNetOptions options_;
    torch::nn::AnyModule conv1_, pool1_, bn0_, maxpool_;
    Sequence layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr}, layer4_{nullptr};
    Sequence up0_{nullptr}, dense0_{nullptr}, up1_{nullptr}, dense1_{nullptr}, up2_{nullptr},
        dense2_{nullptr}, trans1_{nullptr}, dense3_{nullptr}, up3_{nullptr}, dense4_{nullptr};
    std::shared_ptr<AHNetPSPImpl> psp_;
    Sequence final_{nullptr};
};
TORCH_MODULE(AHNet);

} // namespace medulla
