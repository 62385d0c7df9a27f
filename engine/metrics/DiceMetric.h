#pragma once
/// MONAI's DiceMetric (1.3.2): per (case, class) Dice 2|X.Y| / (|X| + |Y|) of
/// binarised predictions, NaN where the ground truth is empty (ignore_empty),
/// aggregated with MONAI's reductions. Contiguous CPU float32/float64/uint8/
/// bool inputs take one fused multi-threaded pass (kernels::overlapSums).

#include <torch/arg.h>

#include <string>
#include <vector>

#include "engine/metrics/Metric.h"

namespace medulla {

struct DiceMetricOptions {
    /// Keep channel 0 (the background).
    TORCH_ARG(bool, include_background) = true;
    /// One of metricReductions().
    TORCH_ARG(std::string, reduction) = "mean";
    /// MONAI returns not_nans only when set; MetricValue always carries it.
    TORCH_ARG(bool, get_not_nans) = false;
    /// Empty ground truth -> NaN; false: 1 if the prediction is empty too, else 0.
    TORCH_ARG(bool, ignore_empty) = true;
    /// Classes including the background; 0 (MONAI's None) = y_pred's channel
    /// count. Lets y_pred be a (B, 1, ...) label map too.
    TORCH_ARG(int64_t, num_classes) = 0;
    /// With reduction "mean_batch": aggregate() returns one value per class,
    /// named "label_<k>" (k from 0, or 1 without the background) or by
    /// label_names, rounded to 4 decimals as MONAI does.
    TORCH_ARG(bool, return_with_label) = false;
    TORCH_ARG(std::vector<std::string>, label_names) = {};
};

class DiceMetric : public Metric {
public:
    explicit DiceMetric(DiceMetricOptions options = {});
    static ComponentInfo info();
    /// Throws ConfigError naming "<context>.<field>".
    static std::shared_ptr<Metric> fromJson(const Json& config, const std::string& context);

    /// y_pred: (B, C, *spatial) binarised one-hot (any non-zero counts as
    /// foreground) or, with num_classes, a (B, 1, *spatial) label map; y:
    /// (B, C, *spatial) one-hot (values are weights, as in MONAI) or a
    /// (B, 1, *spatial) label map. Classes: from 0 (1 without the background)
    /// to num_classes - 1; a single channel means the binary foreground
    /// (class 1). Returns (B, classes) float32 (float64 for float64 inputs).
    /// Throws ShapeError naming both shapes when they do not fit.
    at::Tensor compute(const at::Tensor& yPred, const at::Tensor& y,
                       const MetricCall& call = {}) const override;
    std::vector<MetricValue> aggregate() const override;

    std::string name() const override { return "DiceMetric"; }
    std::string shortName() const override { return "Dice"; }
    std::string reduction() const override { return options_.reduction(); }
    int64_t firstClass() const override;
    Json toJson() const override;
    const DiceMetricOptions& options() const { return options_; }

private:
    DiceMetricOptions options_;
};

} // namespace medulla
