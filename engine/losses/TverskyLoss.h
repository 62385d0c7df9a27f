#pragma once
/// MONAI's TverskyLoss (Salehi et al. 2017): 1 - (TP + smooth_nr) /
/// (TP + alpha FP + beta FN + smooth_dr) per sample and class (or per class
/// over the batch), with soft TP = sum(p g), FP = sum(p (1 - g)),
/// FN = sum((1 - p) g).

#include <torch/arg.h>

#include "engine/losses/DiceTerms.h"
#include "engine/losses/Loss.h"

namespace medulla {

struct TverskyLossOptions {
    MEDULLA_LOSS_PREP_ARGS;
    /// Weight of the false positives.
    TORCH_ARG(double, alpha) = 0.5;
    /// Weight of the false negatives.
    TORCH_ARG(double, beta) = 0.5;
    /// "mean", "sum" or "none" ((B, C'), or (C',) with batch, C' the classes kept).
    TORCH_ARG(std::string, reduction) = "mean";
    TORCH_ARG(double, smooth_nr) = 1e-5;
    TORCH_ARG(double, smooth_dr) = 1e-5;
    /// Sum over the batch before dividing.
    TORCH_ARG(bool, batch) = false;
};

class TverskyLoss : public Loss {
public:
    /// ConfigError (under `context`) for conflicting activations, an unknown
    /// reduction or a negative alpha or beta.
    explicit TverskyLoss(TverskyLossOptions options, std::string context = "loss");
    static ComponentInfo info();
    static std::shared_ptr<Loss> fromJson(const Json& config, const std::string& context);

    /// input (B, C, *spatial); target (B, 1, *spatial) labels with
    /// to_onehot_y, else (B, C, *spatial). ShapeError on mismatched shapes.
    at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const override;
    Json toJson() const override;

private:
    TverskyLossOptions options_;
};

} // namespace medulla
