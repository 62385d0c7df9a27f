#pragma once
/// MONAI's Generator: a latent vector through "linear" to a (C, *spatial)
/// start tensor, then "conv" = transposed Convolution blocks ("layer_0", ...,
/// each followed by a ResidualUnit when num_res_units > 0) that up-sample by
/// their strides. State-dict keys are MONAI's ("linear.weight",
/// "conv.layer_0.conv.weight", "conv.layer_0.1.conv.unit0.conv.weight").
/// Input (B, *latent_shape) -> (B, channels.back(), start_shape[1:] * prod(strides)).

#include <torch/arg.h>
#include <torch/nn/modules/linear.h>

#include "engine/networks/LayerSpec.h"
#include "engine/networks/Network.h"
#include "engine/networks/Sequence.h"

namespace medulla {

struct GeneratorOptions {
    /// Latent shape without the batch axis (flattened by the first layer).
    TORCH_ARG(std::vector<int64_t>, latent_shape) = {42, 24};
    /// (channels, *spatial) of the tensor entering the convolutions; 1-3 spatial axes.
    TORCH_ARG(std::vector<int64_t>, start_shape) = {64, 8, 8};
    /// Output channels per block; the last is the output's.
    TORCH_ARG(std::vector<int64_t>, channels) = {32, 16, 1};
    /// Up-sampling stride per block (same length as channels).
    TORCH_ARG(std::vector<int64_t>, strides) = {2, 2, 2};
    TORCH_ARG(std::vector<int64_t>, kernel_size) = {3};
    TORCH_ARG(int64_t, num_res_units) = 2;
    TORCH_ARG(LayerSpec, act) = "prelu";
    TORCH_ARG(LayerSpec, norm) = "instance";
    TORCH_ARG(LayerSpec, dropout);
    TORCH_ARG(bool, bias) = true;
};

class GeneratorImpl : public Network {
public:
    /// ConfigError for inconsistent shapes, channels or strides.
    explicit GeneratorImpl(GeneratorOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);

    at::Tensor forward(at::Tensor x) override;
    /// channels.back().
    int64_t outChannels() const override { return options_.channels().back(); }
    int64_t sizeDivisor() const override { return 1; }
    Json toJson() const override;
    const GeneratorOptions& options() const { return options_; }

private:
    GeneratorOptions options_;
    torch::nn::Linear linear_{nullptr};
    Sequence conv_{nullptr};
};
TORCH_MODULE(Generator);

} // namespace medulla
