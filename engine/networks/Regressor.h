#pragma once
/// MONAI's Regressor and its subclasses Classifier and Discriminator: a
/// stack of strided Convolution / ResidualUnit blocks ("net.layer_0", ...)
/// followed by "final" = Flatten + Linear (+ "lastact"), reshaped to
/// out_shape. State-dict keys are MONAI's ("net.layer_0.conv.unit0.conv.weight",
/// "final.1.weight").
/// Input (B, *in_shape) exactly (the Linear layer fixes the size) ->
/// (B, *out_shape); Classifier (B, classes); Discriminator (B, 1).

#include <torch/arg.h>

#include "engine/networks/LayerSpec.h"
#include "engine/networks/Network.h"
#include "engine/networks/Sequence.h"

namespace medulla {

struct RegressorOptions {
    /// (channels, *spatial) of the input without the batch axis; 1-3 spatial axes.
    TORCH_ARG(std::vector<int64_t>, in_shape) = {1, 64, 64};
    /// Output shape without the batch axis.
    TORCH_ARG(std::vector<int64_t>, out_shape) = {1};
    /// Output channels per block.
    TORCH_ARG(std::vector<int64_t>, channels) = {2, 4, 8};
    /// Stride per block (same length as channels).
    TORCH_ARG(std::vector<int64_t>, strides) = {2, 2, 2};
    /// One value or one per spatial axis (odd).
    TORCH_ARG(std::vector<int64_t>, kernel_size) = {3};
    /// Sub-units per ResidualUnit; 0 uses plain Convolution blocks.
    TORCH_ARG(int64_t, num_res_units) = 2;
    TORCH_ARG(LayerSpec, act) = "prelu";
    TORCH_ARG(LayerSpec, norm) = "instance";
    TORCH_ARG(LayerSpec, dropout);
    TORCH_ARG(bool, bias) = true;
    /// Appended to "final" as "lastact" (Classifier / Discriminator); none: no layer.
    TORCH_ARG(LayerSpec, last_act);
    /// Which MONAI class this is: "Regressor", "Classifier" or "Discriminator"
    /// (decides toJson's parameter names).
    TORCH_ARG(std::string, kind) = "Regressor";
};

class RegressorImpl : public Network {
public:
    /// ConfigError for inconsistent shapes, channels or strides.
    explicit RegressorImpl(RegressorOptions options);
    static ComponentInfo info();
    static ComponentInfo classifierInfo();
    static ComponentInfo discriminatorInfo();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);
    static std::shared_ptr<Network> classifierFromJson(const Json& config,
                                                       const std::string& context);
    static std::shared_ptr<Network> discriminatorFromJson(const Json& config,
                                                          const std::string& context);

    at::Tensor forward(at::Tensor x) override;
    /// out_shape[0] (classes for Classifier, 1 for Discriminator).
    int64_t outChannels() const override { return options_.out_shape().front(); }
    int64_t sizeDivisor() const override { return 1; }
    Json toJson() const override;
    const RegressorOptions& options() const { return options_; }

private:
    RegressorOptions options_;
    Sequence net_{nullptr};
    Sequence final_{nullptr};
};
TORCH_MODULE(Regressor);

} // namespace medulla
