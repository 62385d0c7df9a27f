#pragma once
/// MONAI's DiceCELoss: lambda_dice * DiceLoss + lambda_ce * cross-entropy on
/// the logits. Cross-entropy ignores include_background and the activations;
/// a (B, 1, *spatial) target gives class indices, a (B, C, *spatial) target
/// probabilities (soft targets); a one-channel input switches to
/// binary cross-entropy with logits (weight as pos_weight).

#include <torch/arg.h>

#include "engine/losses/DiceLoss.h"

namespace medulla {

struct DiceCELossOptions {
    /// DiceLoss's arguments, except that reduction is "mean" or "sum" and
    /// weight has one entry per input channel (background included; Dice
    /// gets weight[1:] when include_background is false).
    MEDULLA_DICE_LOSS_ARGS;
    /// Factor of the Dice term, >= 0.
    TORCH_ARG(double, lambda_dice) = 1.0;
    /// Factor of the cross-entropy term, >= 0.
    TORCH_ARG(double, lambda_ce) = 1.0;
};

class DiceCELoss : public Loss {
public:
    /// ConfigError (under `context`) as DiceLoss, for reduction "none" and
    /// for negative lambdas.
    explicit DiceCELoss(DiceCELossOptions options, std::string context = "loss");
    static ComponentInfo info();
    static std::shared_ptr<Loss> fromJson(const Json& config, const std::string& context);

    /// input (B, C, *spatial) logits; target (B, 1, *spatial) labels or
    /// (B, C, *spatial) one-hot / probabilities. 0-d result. ShapeError when
    /// the ranks differ or the target has neither 1 nor C channels;
    /// ConfigError (field weight) unless weight has C entries.
    at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const override;
    Json toJson() const override;

private:
    at::Tensor crossEntropy(const at::Tensor& input, const at::Tensor& target) const;

    DiceCELossOptions options_;
    std::string context_;
    std::shared_ptr<DiceLoss> dice_;
};

} // namespace medulla
