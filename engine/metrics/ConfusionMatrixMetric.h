#pragma once
/// MONAI's ConfusionMatrixMetric (1.3.2): per (case, class) confusion matrix
/// [tp, fp, tn, fn] of binarised one-hot predictions, and at aggregate() the
/// named measures (sensitivity, precision, f1 score, ...) either of the
/// reduced matrices (default) or reduced per case (compute_sample).

#include <torch/arg.h>

#include <string>
#include <vector>

#include "engine/metrics/Metric.h"

namespace medulla {

struct ConfusionMatrixMetricOptions {
    /// Keep channel 0 (the background).
    TORCH_ARG(bool, include_background) = true;
    /// One or more measures, each any of MONAI's names or aliases
    /// (confusionMeasureNames(); case and "_"/" " do not matter).
    TORCH_ARG(std::vector<std::string>, metric_name) = {"hit_rate"};
    /// true: each case's measure first, then the reduction; false: reduce the
    /// confusion matrices, then the measure. Forced to false once a
    /// classification batch ((B, C) or (B, C, 1)) was seen, as in MONAI.
    TORCH_ARG(bool, compute_sample) = false;
    /// One of metricReductions().
    TORCH_ARG(std::string, reduction) = "mean";
    /// MONAI returns not_nans only when set; MetricValue always carries it.
    TORCH_ARG(bool, get_not_nans) = false;
};

class ConfusionMatrixMetric : public Metric {
public:
    explicit ConfusionMatrixMetric(ConfusionMatrixMetricOptions options = {});
    static ComponentInfo info();
    /// Throws ConfigError naming "<context>.<field>" (e.g. an unknown
    /// "<context>.metric_name[1]").
    static std::shared_ptr<Metric> fromJson(const Json& config, const std::string& context);

    /// y_pred, y: (B, C, ...) binarised one-hot of one shape (at least 2
    /// dimensions). Returns (B, C', 4) float32 [tp, fp, tn, fn], C' = C - 1
    /// without the background. Throws ShapeError naming both shapes.
    at::Tensor compute(const at::Tensor& yPred, const at::Tensor& y,
                       const MetricCall& call = {}) const override;
    /// One MetricValue per metric_name, named as given, float32.
    std::vector<MetricValue> aggregate() const override;
    /// Per case, one column "<metric_name>[k]" per measure and class.
    MetricTable table() const override;

    std::string name() const override { return "ConfusionMatrixMetric"; }
    std::string reduction() const override { return options_.reduction(); }
    int64_t firstClass() const override { return options_.include_background() ? 0 : 1; }
    Json toJson() const override;
    const ConfusionMatrixMetricOptions& options() const { return options_; }

    /// MONAI's compute_confusion_matrix_metric: the measure `metricName` of
    /// confusion matrices (..., 4) [tp, fp, tn, fn] (a (4,) input counts as
    /// (1, 4)); NaN where a denominator is 0. float32 (computed in float64).
    static at::Tensor measure(const std::string& metricName, const at::Tensor& matrices);
    /// MONAI's short code ("tpr", "f1", ...) of a name or alias; throws
    /// ConfigError naming `field` for an unknown name.
    static std::string measureCode(const std::string& metricName, const std::string& field);
    /// Every accepted spelling, underscore form (spaces work too).
    static const std::vector<std::string>& measureNames();

private:
    ConfusionMatrixMetricOptions options_;
    mutable bool classification_ = false; ///< a (B, C) batch turned compute_sample off
};

} // namespace medulla
