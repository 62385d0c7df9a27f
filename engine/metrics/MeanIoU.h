#pragma once
/// MONAI's MeanIoU (1.3.2): per (case, class) intersection over union
/// |X.Y| / (|X| + |Y| - |X.Y|) of binarised one-hot predictions, NaN where
/// the ground truth is empty (ignore_empty), aggregated with MONAI's
/// reductions. Shares the fused pass of DiceMetric (kernels::overlapSums).

#include <torch/arg.h>

#include <string>

#include "engine/metrics/Metric.h"

namespace medulla {

struct MeanIoUOptions {
    /// Keep channel 0 (the background).
    TORCH_ARG(bool, include_background) = true;
    /// One of metricReductions().
    TORCH_ARG(std::string, reduction) = "mean";
    /// MONAI returns not_nans only when set; MetricValue always carries it.
    TORCH_ARG(bool, get_not_nans) = false;
    /// Empty ground truth -> NaN; false: 1 if the prediction is empty too, else 0.
    TORCH_ARG(bool, ignore_empty) = true;
};

class MeanIoU : public Metric {
public:
    explicit MeanIoU(MeanIoUOptions options = {});
    static ComponentInfo info();
    /// Throws ConfigError naming "<context>.<field>".
    static std::shared_ptr<Metric> fromJson(const Json& config, const std::string& context);

    /// y_pred, y: (B, C, *spatial) binarised one-hot, the same shape (values
    /// enter the products as they are, as in MONAI). Returns (B, C') float32
    /// (float64 for float64 inputs), C' = C - 1 without the background.
    /// Throws ShapeError naming both shapes.
    at::Tensor compute(const at::Tensor& yPred, const at::Tensor& y,
                       const MetricCall& call = {}) const override;

    std::string name() const override { return "MeanIoU"; }
    std::string shortName() const override { return "IoU"; }
    std::string reduction() const override { return options_.reduction(); }
    int64_t firstClass() const override { return options_.include_background() ? 0 : 1; }
    Json toJson() const override;
    const MeanIoUOptions& options() const { return options_; }

private:
    MeanIoUOptions options_;
};

} // namespace medulla
