#pragma once
/// MONAI's DiceFocalLoss: lambda_dice * DiceLoss + lambda_focal * FocalLoss.
/// As in MONAI 1.3.2 the focal term is always the sigmoid focal loss on the
/// logits, whatever sigmoid/softmax/other_act (which only feed Dice) say;
/// include_background, weight and reduction apply to both terms.

#include <torch/arg.h>

#include "engine/losses/DiceLoss.h"
#include "engine/losses/FocalLoss.h"

namespace medulla {

struct DiceFocalLossOptions {
    /// DiceLoss's arguments; weight has one entry per class kept (without
    /// class 0 when include_background is false) or one for all, for both terms.
    MEDULLA_DICE_LOSS_ARGS;
    /// Focal exponent, >= 0.
    TORCH_ARG(double, gamma) = 2.0;
    /// Factor of the Dice term, >= 0.
    TORCH_ARG(double, lambda_dice) = 1.0;
    /// Factor of the focal term, >= 0.
    TORCH_ARG(double, lambda_focal) = 1.0;
};

class DiceFocalLoss : public Loss {
public:
    /// ConfigError (under `context`) as DiceLoss and FocalLoss, and for
    /// negative lambdas.
    explicit DiceFocalLoss(DiceFocalLossOptions options, std::string context = "loss");
    static ComponentInfo info();
    static std::shared_ptr<Loss> fromJson(const Json& config, const std::string& context);

    /// input (B, C, *spatial) logits; target (B, 1, *spatial) labels with
    /// to_onehot_y, else (B, C, *spatial). With reduction "none" the sum of
    /// Dice's (B, C', 1, ...) and the focal (B, C', *spatial) terms,
    /// broadcast. ShapeError when the ranks differ or the target has neither
    /// 1 nor C channels.
    at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const override;
    Json toJson() const override;

private:
    DiceFocalLossOptions options_;
    std::shared_ptr<DiceLoss> dice_;
    std::shared_ptr<FocalLoss> focal_;
};

} // namespace medulla
