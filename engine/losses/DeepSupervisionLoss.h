#pragma once
/// MONAI's DeepSupervisionLoss: a wrapped loss applied to every output head of
/// a deeply supervised network, sum_l w_l loss(head_l, target_l), the target
/// resized to each head's spatial size by nearest-exact interpolation (MONAI
/// on torch >= 1.11) when the sizes differ. Weights are not normalised.

#include <torch/arg.h>

#include "engine/losses/Loss.h"

namespace medulla {

struct DeepSupervisionLossOptions {
    /// The wrapped loss as registry JSON ({"name": "DiceLoss", ...}). Required.
    TORCH_ARG(Json, loss) = Json();
    /// "exp": 1, 0.5, 0.25, ... (never below 0.0625); "same": all 1;
    /// "two": 1, 0.5, 0.5, ...
    TORCH_ARG(std::string, weight_mode) = "exp";
    /// Explicit per-head weights, used when there are at least as many as
    /// heads (the first ones), else weight_mode decides (as MONAI). Empty: none.
    TORCH_ARG(std::vector<double>, weights) = {};
};

class DeepSupervisionLoss : public Loss {
public:
    /// Builds the wrapped loss from the registry (errors under
    /// `context`.loss); ConfigError for an unknown weight_mode.
    explicit DeepSupervisionLoss(DeepSupervisionLossOptions options, std::string context = "loss");
    static ComponentInfo info();
    static std::shared_ptr<Loss> fromJson(const Json& config, const std::string& context);

    /// input: the heads stacked on axis 1, (B, heads, C, *spatial), as
    /// DynUNet's training output with deep_supervision, recognised by having
    /// one axis more than a plain input of the wrapped loss
    /// (input.dim() == target.dim() + 1 - wrapped.targetRankOffset()); or a
    /// plain input, given to the wrapped loss unchanged. Returns the weighted
    /// sum of the wrapped loss's results (their shape if unreduced).
    at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const override;
    int64_t targetRankOffset() const override { return loss_->targetRankOffset(); }
    Json toJson() const override;
    /// The weight of each of `levels` heads.
    std::vector<double> weights(int64_t levels) const;

private:
    DeepSupervisionLossOptions options_;
    LossPtr loss_;
};

} // namespace medulla
