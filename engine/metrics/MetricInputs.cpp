#include "engine/metrics/MetricInputs.h"

#include <torch/torch.h>

#include <limits>

#include "engine/core/Error.h"
#include "engine/metrics/Metric.h"

namespace medulla {

void checkMetricRank(const at::Tensor& yPred, int64_t minDims, const std::string& metric) {
    if (yPred.dim() < minDims)
        throw ShapeError(metric + ": y_pred should have at least " + std::to_string(minDims) +
                         " dimensions (batch, channel" + (minDims > 2 ? ", spatial" : "") +
                         "), got " + c10::str(yPred.sizes()));
}

std::pair<at::Tensor, at::Tensor> segmentationPair(const at::Tensor& yPredIn, const at::Tensor& yIn,
                                                   bool includeBackground,
                                                   const std::string& metric, int64_t minDims) {
    checkMetricRank(yPredIn, minDims, metric);
    at::Tensor yPred = yPredIn, y = yIn;
    if (!includeBackground) {
        if (y.dim() >= 2 && y.size(1) > 1)
            y = y.slice(1, 1);
        if (yPred.size(1) > 1)
            yPred = yPred.slice(1, 1);
    }
    if (yPred.sizes() != y.sizes())
        throw ShapeError(metric + ": y_pred " + c10::str(yPredIn.sizes()) + " and y " +
                         c10::str(yIn.sizes()) + " must have the same shape" +
                         (includeBackground ? "" : " (after dropping the background channel)"));
    return {yPred, y};
}

void checkMetricReduction(const std::string& reduction, const std::string& field) {
    std::string known;
    for (const auto& r : metricReductions()) {
        if (r == reduction)
            return;
        known += (known.empty() ? "" : ", ") + r;
    }
    throw ConfigError("unknown reduction \"" + reduction + "\" (known: " + known + ")", {}, field);
}

ParamSpec includeBackgroundParam(bool defaultValue) {
    return {"include_background",
            ParamType::Bool,
            defaultValue,
            0,
            1,
            {},
            "include channel 0 (the background) in the metric"};
}

ParamSpec metricReductionParam() {
    return {"reduction",
            ParamType::String,
            "mean",
            0,
            0,
            metricReductions(),
            "how aggregate() reduces the (case, class) values, ignoring NaN: mean (per case, "
            "then over cases), sum, mean_batch / sum_batch (per class), mean_channel / "
            "sum_channel (per case), none"};
}

ParamSpec getNotNansParam() {
    return {"get_not_nans",
            ParamType::Bool,
            false,
            0,
            1,
            {},
            "MONAI: aggregate() also returns the count of non-NaN values (Medulla always "
            "reports it)"};
}

ParamSpec ignoreEmptyParam() {
    return {"ignore_empty",
            ParamType::Bool,
            true,
            0,
            1,
            {},
            "an empty ground truth gives NaN (skipped by aggregate); false: 1 if the prediction "
            "is empty too, else 0"};
}

at::Tensor nanWhereNot(const at::Tensor& ok, const at::Tensor& value) {
    return torch::where(ok, value,
                        torch::full({}, std::numeric_limits<double>::quiet_NaN(), value.options()));
}

at::Tensor emptyGroundTruthRule(const at::Tensor& score, const at::Tensor& ySum,
                                const at::Tensor& denominator, bool ignoreEmpty) {
    const at::Tensor empty = ignoreEmpty
                                 ? nanWhereNot(torch::zeros_like(ySum, torch::kBool), score)
                                 : torch::where(denominator > 0, score, torch::ones_like(score));
    return torch::where(ySum > 0, score, empty);
}

at::ScalarType metricValueType(const at::Tensor& yPred, const at::Tensor& y) {
    return yPred.scalar_type() == torch::kDouble || y.scalar_type() == torch::kDouble
               ? torch::kDouble
               : torch::kFloat;
}

} // namespace medulla
