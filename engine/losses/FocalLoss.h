#pragma once
/// MONAI's FocalLoss (Lin et al. 2017) on logits: sigmoid focal loss
/// -(1 - p_t)^gamma log(p_t) per element and class, or with use_softmax the
/// softmax focal loss -(1 - p_c)^gamma log(p_c) t_c. As MONAI, channel 0 is
/// dropped (include_background=false) before the softmax, so it gets no
/// gradient.

#include <torch/arg.h>

#include <optional>

#include "engine/losses/Loss.h"

namespace medulla {

struct FocalLossOptions {
    /// Keep channel 0 in the loss.
    TORCH_ARG(bool, include_background) = true;
    /// The target is a (B, 1, *spatial) label map to one-hot encode.
    TORCH_ARG(bool, to_onehot_y) = false;
    /// Focusing exponent, >= 0 (0: binary / categorical cross-entropy).
    TORCH_ARG(double, gamma) = 2.0;
    /// Balance in [0, 1]: sigmoid: alpha for positives, 1 - alpha for
    /// negatives; softmax: 1 - alpha for channel 0, alpha for the others
    /// (ignored when include_background is false). nullopt: none.
    TORCH_ARG(std::optional<double>, alpha) = std::nullopt;
    /// Per-class weights >= 0: one per class kept (without class 0 when
    /// include_background is false) or one for all; empty: none.
    TORCH_ARG(std::vector<double>, weight) = {};
    /// "mean": mean over every element; "sum": sum over (B, C) of the
    /// spatial means (MONAI's); "none": element-wise (B, C', *spatial).
    TORCH_ARG(std::string, reduction) = "mean";
    /// Softmax over the channels instead of a sigmoid per channel.
    TORCH_ARG(bool, use_softmax) = false;
};

class FocalLoss : public Loss {
public:
    /// ConfigError (under `context`) for a negative gamma, alpha outside
    /// [0, 1], negative weights or an unknown reduction.
    explicit FocalLoss(FocalLossOptions options, std::string context = "loss");
    static ComponentInfo info();
    static std::shared_ptr<Loss> fromJson(const Json& config, const std::string& context);

    /// input (B, C, *spatial) logits; target (B, 1, *spatial) labels with
    /// to_onehot_y, else (B, C, *spatial) in [0, 1]. Computed in the input's
    /// dtype. ShapeError on mismatched shapes, ConfigError (field weight) for
    /// a wrong number of weights.
    at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const override;
    Json toJson() const override;

private:
    FocalLossOptions options_;
    std::string context_;
};

} // namespace medulla
