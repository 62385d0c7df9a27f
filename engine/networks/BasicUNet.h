#pragma once
/// MONAI's BasicUNet (monai.networks.nets.BasicUNet): a five-level UNet of
/// two-convolution blocks ("conv_0", "down_1".."down_4" = max pool + two
/// convs, "upcat_4".."upcat_1" = UpSample + concatenation + two convs,
/// "final_conv" 1x1), weight-compatible with MONAI (same state-dict keys).
/// Input (B, in_channels, *spatial) -> (B, out_channels, *spatial). Sizes that
/// are multiples of 16 keep every pooled map even; other sizes >= 16 work too:
/// like MONAI, an up-sampled map one voxel short of its skip is padded
/// (replicate, at the end of that axis).

#include <torch/arg.h>

#include "engine/networks/LayerSpec.h"
#include "engine/networks/Network.h"
#include "engine/networks/Sequence.h"
#include "engine/networks/UpSample.h"

namespace medulla {

struct BasicUNetOptions {
    TORCH_ARG(int64_t, spatial_dims) = 3;
    TORCH_ARG(int64_t, in_channels) = 1;
    TORCH_ARG(int64_t, out_channels) = 2;
    /// Five encoder widths, then the width after the last up-sampling.
    TORCH_ARG(std::vector<int64_t>, features) = {32, 32, 64, 128, 256, 32};
    TORCH_ARG(LayerSpec, act) = LayerSpec("leakyrelu", {{"negative_slope", 0.1}});
    TORCH_ARG(LayerSpec, norm) = LayerSpec("instance", {{"affine", true}});
    TORCH_ARG(bool, bias) = true;
    TORCH_ARG(LayerSpec, dropout) = LayerSpec::dropout(0.0);
    /// deconv, pixelshuffle or nontrainable (linear interpolation).
    TORCH_ARG(std::string, upsample) = "deconv";
};

/// MONAI's UpCat: "upsample" (x2) then "convs" on cat([skip, up]).
class BasicUpCatImpl : public torch::nn::Module {
public:
    BasicUpCatImpl(const BasicUNetOptions& o, int64_t in, int64_t cat, int64_t out, bool halves);
    at::Tensor forward(at::Tensor x, at::Tensor skip);

private:
    UpSample upsample_{nullptr};
    Sequence convs_{nullptr};
};
TORCH_MODULE(BasicUpCat);

class BasicUNetImpl : public Network {
public:
    explicit BasicUNetImpl(BasicUNetOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);

    at::Tensor forward(at::Tensor x) override;
    int64_t outChannels() const override { return options_.out_channels(); }
    /// 16 (four 2x poolings).
    int64_t sizeDivisor() const override { return 16; }
    Json toJson() const override;
    const BasicUNetOptions& options() const { return options_; }

private:
    BasicUNetOptions options_;
    Sequence conv0_{nullptr}, down1_{nullptr}, down2_{nullptr}, down3_{nullptr}, down4_{nullptr};
    BasicUpCat up4_{nullptr}, up3_{nullptr}, up2_{nullptr}, up1_{nullptr};
    torch::nn::AnyModule final_;
};
TORCH_MODULE(BasicUNet);

} // namespace medulla
