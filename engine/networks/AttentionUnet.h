#pragma once
/// MONAI's AttentionUnet (Oktay et al.): a convolutional UNet whose skip
/// connections are gated by additive attention on the up-sampled coarser
/// features. Same constructor parameters and the same state-dict keys
/// ("model.0.conv.0.conv.weight", "model.1.attention.W_g.0.conv.weight",
/// "model.1.submodule.0.conv.1.adn.N.running_mean", ...), so MONAI weights
/// load unchanged. Input (B, in_channels, *spatial), every spatial size a
/// multiple of the product of the strides -> (B, out_channels, *spatial).

#include <torch/arg.h>

#include "engine/networks/Convolution.h"
#include "engine/networks/LayerSpec.h"
#include "engine/networks/Network.h"
#include "engine/networks/Sequence.h"

namespace medulla {

struct AttentionUnetOptions {
    TORCH_ARG(int64_t, spatial_dims) = 3;
    TORCH_ARG(int64_t, in_channels) = 1;
    TORCH_ARG(int64_t, out_channels) = 2;
    /// Feature channels per level, top first, at least 2 levels.
    TORCH_ARG(std::vector<int64_t>, channels) = {16, 32, 64, 128};
    /// Down-sampling stride per level; at least len(channels) - 1 values.
    TORCH_ARG(std::vector<int64_t>, strides) = {2, 2, 2};
    /// One value or one per spatial axis (odd).
    TORCH_ARG(std::vector<int64_t>, kernel_size) = {3};
    TORCH_ARG(std::vector<int64_t>, up_kernel_size) = {3};
    /// MONAI's float dropout (0.0 keeps zero-probability Dropout modules);
    /// none removes them.
    TORCH_ARG(LayerSpec, dropout) = LayerSpec::dropout(0.0);
};

class AttentionUnetImpl : public Network {
public:
    /// Throws ConfigError naming the field for inconsistent parameters.
    explicit AttentionUnetImpl(AttentionUnetOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);

    at::Tensor forward(at::Tensor x) override { return model_->forward(x); }
    int64_t outChannels() const override { return options_.out_channels(); }
    /// The product of the strides used.
    int64_t sizeDivisor() const override;
    Json toJson() const override;
    const AttentionUnetOptions& options() const { return options_; }

private:
    torch::nn::AnyModule createBlock(size_t level);

    AttentionUnetOptions options_;
    Sequence model_{nullptr};
};
TORCH_MODULE(AttentionUnet);

} // namespace medulla
