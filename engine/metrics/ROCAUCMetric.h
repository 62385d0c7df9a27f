#pragma once
/// MONAI's ROCAUCMetric (1.3.2): the area under the ROC curve of scores
/// against 0/1 labels, rank based (tied scores get half credit), over every
/// (y_pred, y) row kept since the last reset(); averaged over classes as
/// `average` says.

#include <torch/arg.h>

#include <string>
#include <vector>

#include "engine/metrics/Metric.h"

namespace medulla {

struct ROCAUCMetricOptions {
    /// "macro" (mean over classes), "weighted" (by each class' positives),
    /// "micro" (all classes as one), "none" (one value per class).
    TORCH_ARG(std::string, average) = "macro";
};

class ROCAUCMetric : public Metric {
public:
    explicit ROCAUCMetric(ROCAUCMetricOptions options = {});
    static ComponentInfo info();
    /// Throws ConfigError naming "<context>.<field>".
    static std::shared_ptr<Metric> fromJson(const Json& config, const std::string& context);

    /// y_pred: (N, C) scores or (N,) / (N, 1) for binary data; y: the same
    /// shape, one-hot 0/1 labels. Returns (N, C, 2) float64 pairs
    /// [score, label] ((N, 2) for binary data), the rows that aggregate()
    /// ranks. Throws ShapeError naming both shapes, or when C differs from
    /// the rows kept before.
    at::Tensor compute(const at::Tensor& yPred, const at::Tensor& y,
                       const MetricCall& call = {}) const override;
    /// One value named "ROCAUCMetric": a 0-d float64 AUC, or (C,) float64 for
    /// average "none". A class whose labels are all equal (or not 0/1) has
    /// AUC NaN, which makes the macro/weighted average NaN (as MONAI).
    std::vector<MetricValue> aggregate() const override;
    /// Case ids only: ROC AUC has no per-case values.
    MetricTable table() const override;

    std::string name() const override { return "ROCAUCMetric"; }
    std::string shortName() const override { return "AUC"; }
    std::string reduction() const override { return options_.average(); }
    Json toJson() const override;
    const ROCAUCMetricOptions& options() const { return options_; }

    /// MONAI's _calculate: the AUC of scores against 0/1 labels (1-D, one
    /// length); NaN when the labels are all equal or not all in {0, 1}.
    static double auc(const at::Tensor& scores, const at::Tensor& labels);

private:
    ROCAUCMetricOptions options_;
};

} // namespace medulla
