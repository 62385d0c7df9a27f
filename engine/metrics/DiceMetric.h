#pragma once
/// MONAI's DiceMetric on binarised one-hot tensors: per (sample, class)
/// Dice, NaN where the ground truth is empty (ignore_empty), aggregated with
/// MONAI's "mean" reduction.

#include <ATen/Tensor.h>

#include <vector>

namespace medulla {

struct DiceMetricOptions {
    bool include_background = true;
    bool ignore_empty = true;
};

class DiceMetric {
public:
    explicit DiceMetric(DiceMetricOptions options = {}) : options_(options) {}

    /// y_pred, y: (B, C, *spatial) one-hot (values 0/1). Returns (B, C') per
    /// sample and class and accumulates it for aggregate().
    at::Tensor operator()(const at::Tensor& yPred, const at::Tensor& y);
    /// MONAI's "mean" reduction of everything accumulated: per sample the
    /// mean of its non-NaN classes, then the mean over samples that have
    /// one; 0 when no value is valid.
    double aggregate() const;
    /// Forget accumulated values.
    void reset() { buffer_.clear(); }

    /// Stateless per (sample, class) Dice.
    static at::Tensor compute(const at::Tensor& yPred, const at::Tensor& y,
                              DiceMetricOptions options);

private:
    DiceMetricOptions options_;
    std::vector<at::Tensor> buffer_;
};

} // namespace medulla
