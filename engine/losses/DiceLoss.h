#pragma once
/// MONAI's DiceLoss: 1 - (2|X.Y| + smooth_nr) / (|X| + |Y| + smooth_dr) per
/// sample and class (or per class over the batch), with MONAI's order of
/// operations: activation over all channels, one-hot, then dropping the
/// background channel.

#include <torch/arg.h>

#include "engine/losses/Loss.h"

namespace medulla {

struct DiceLossOptions {
    /// Keep channel 0 in the loss.
    TORCH_ARG(bool, include_background) = true;
    /// Target is a (B, 1, ...) label map to one-hot encode.
    TORCH_ARG(bool, to_onehot_y) = false;
    TORCH_ARG(bool, sigmoid) = false;
    TORCH_ARG(bool, softmax) = false;
    /// Use squares in the denominator.
    TORCH_ARG(bool, squared_pred) = false;
    /// Jaccard (IoU) instead of Dice.
    TORCH_ARG(bool, jaccard) = false;
    /// "mean", "sum" or "none" ((B, C, 1, ...) unreduced).
    TORCH_ARG(std::string, reduction) = "mean";
    TORCH_ARG(double, smooth_nr) = 1e-5;
    TORCH_ARG(double, smooth_dr) = 1e-5;
    /// Sum over the batch before dividing.
    TORCH_ARG(bool, batch) = false;
    /// Per-class weights (after background removal); empty = none.
    TORCH_ARG(std::vector<double>, weight) = {};
};

class DiceLoss : public Loss {
public:
    explicit DiceLoss(DiceLossOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Loss> fromJson(const Json& config, const std::string& context);

    /// input (B, C, *spatial); target (B, 1, *spatial) labels with to_onehot_y,
    /// else (B, C, *spatial). Throws ShapeError on mismatched shapes.
    at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const override;
    Json toJson() const override;

private:
    DiceLossOptions options_;
};

} // namespace medulla
