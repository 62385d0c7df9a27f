#pragma once
/// MONAI's GeneralizedDiceFocalLoss: lambda_gdl * GeneralizedDiceLoss +
/// lambda_focal * FocalLoss (the sigmoid focal loss on the logits; the
/// activations only feed the generalised Dice term).

#include <torch/arg.h>

#include "engine/losses/FocalLoss.h"
#include "engine/losses/GeneralizedDiceLoss.h"

namespace medulla {

struct GeneralizedDiceFocalLossOptions {
    /// GeneralizedDiceLoss's arguments (to_onehot_y, include_background and
    /// reduction also apply to the focal term).
    MEDULLA_GENERALIZED_DICE_ARGS;
    /// Focal exponent, >= 0.
    TORCH_ARG(double, gamma) = 2.0;
    /// Focal per-class weights (one per class kept, or one for all; empty: none).
    TORCH_ARG(std::vector<double>, weight) = {};
    /// Factor of the generalised Dice term, >= 0.
    TORCH_ARG(double, lambda_gdl) = 1.0;
    /// Factor of the focal term, >= 0.
    TORCH_ARG(double, lambda_focal) = 1.0;
};

class GeneralizedDiceFocalLoss : public Loss {
public:
    /// ConfigError (under `context`) as GeneralizedDiceLoss and FocalLoss,
    /// and for negative lambdas.
    explicit GeneralizedDiceFocalLoss(GeneralizedDiceFocalLossOptions options,
                                      std::string context = "loss");
    static ComponentInfo info();
    static std::shared_ptr<Loss> fromJson(const Json& config, const std::string& context);

    /// input (B, C, *spatial) logits; target (B, 1, *spatial) labels with
    /// to_onehot_y, else (B, C, *spatial). ShapeError when the ranks differ
    /// or the target has neither 1 nor C channels.
    at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const override;
    Json toJson() const override;

private:
    GeneralizedDiceFocalLossOptions options_;
    std::shared_ptr<GeneralizedDiceLoss> gdl_;
    std::shared_ptr<FocalLoss> focal_;
};

} // namespace medulla
