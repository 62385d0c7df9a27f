#pragma once
/// MONAI's UNet (Kerfoot et al.): residual down-sampling encoder, transposed-
/// convolution decoder, skip connections by concatenation. Same constructor
/// parameters and the same state-dict keys ("model.0.conv.unit0.conv.weight",
/// ...), so MONAI weights load unchanged.
/// Input (B, in_channels, *spatial), every spatial size a multiple of the
/// product of the strides -> (B, out_channels, *spatial).

#include <torch/arg.h>

#include "engine/networks/Convolution.h"
#include "engine/networks/Network.h"
#include "engine/networks/Sequence.h"

namespace medulla {

struct UNetOptions {
    /// 1, 2 or 3.
    TORCH_ARG(int64_t, spatial_dims) = 3;
    TORCH_ARG(int64_t, in_channels) = 1;
    TORCH_ARG(int64_t, out_channels) = 2;
    /// Feature channels per level, at least 2 levels.
    TORCH_ARG(std::vector<int64_t>, channels) = {16, 32, 64, 128, 256};
    /// Down-sampling stride per level; len(strides) == len(channels) - 1.
    TORCH_ARG(std::vector<int64_t>, strides) = {2, 2, 2, 2};
    /// One value or one per spatial axis (odd).
    TORCH_ARG(std::vector<int64_t>, kernel_size) = {3};
    TORCH_ARG(std::vector<int64_t>, up_kernel_size) = {3};
    /// Residual sub-units per block; 0 uses plain convolutions.
    TORCH_ARG(int64_t, num_res_units) = 0;
    TORCH_ARG(LayerSpec, act) = "prelu";
    TORCH_ARG(LayerSpec, norm) = "instance";
    TORCH_ARG(LayerSpec, dropout) = LayerSpec::dropout(0.0);
    TORCH_ARG(bool, bias) = true;
    TORCH_ARG(std::string, adn_ordering) = "NDA";
};

class UNetImpl : public Network {
public:
    /// Throws ConfigError for inconsistent channels/strides.
    explicit UNetImpl(UNetOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);

    at::Tensor forward(at::Tensor x) override;
    int64_t outChannels() const override { return options_.out_channels(); }
    /// The product of the strides.
    int64_t sizeDivisor() const override;
    Json toJson() const override;
    const UNetOptions& options() const { return options_; }

private:
    ConvolutionOptions convOptions(int64_t in, int64_t out, int64_t stride,
                                   const std::vector<int64_t>& kernel) const;
    torch::nn::AnyModule createBlock(int64_t in, int64_t out, size_t level, bool isTop);
    torch::nn::AnyModule downLayer(int64_t in, int64_t out, int64_t stride);
    torch::nn::AnyModule upLayer(int64_t in, int64_t out, int64_t stride, bool isTop);

    UNetOptions options_;
    Sequence model_{nullptr};
};
TORCH_MODULE(UNet);

} // namespace medulla
