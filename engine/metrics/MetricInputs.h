#pragma once
/// Input checks and parameter specs shared by the metrics, so that every
/// metric reports the same errors and offers the same MONAI parameters.

#include <ATen/Tensor.h>

#include <string>
#include <utility>

#include "engine/core/Params.h"

namespace medulla {

/// MONAI's ignore_background + shape check of the segmentation metrics
/// (MeanIoU, ConfusionMatrixMetric, the distance metrics): y_pred and y must
/// have at least `minDims` dimensions ((B, C, *spatial) one-hot); without
/// the background, channel 0 of each tensor that has more than one channel is
/// dropped (a view, no copy); the two results must then have the same shape.
/// Throws ShapeError naming `metric` and both input shapes.
std::pair<at::Tensor, at::Tensor> segmentationPair(const at::Tensor& yPred, const at::Tensor& y,
                                                   bool includeBackground,
                                                   const std::string& metric, int64_t minDims = 3);

/// Throws ShapeError "<metric>: y_pred should have at least <minDims>
/// dimensions (...), got <shape>" when it has fewer.
void checkMetricRank(const at::Tensor& yPred, int64_t minDims, const std::string& metric);

/// Throws ConfigError naming `field` unless `reduction` is one of
/// metricReductions().
void checkMetricReduction(const std::string& reduction, const std::string& field);

/// The ParamSpecs every MONAI metric shares (MONAI's names and defaults).
ParamSpec includeBackgroundParam(bool defaultValue);
ParamSpec metricReductionParam();
ParamSpec getNotNansParam();
ParamSpec ignoreEmptyParam();

/// NaN where `ok` is false, else `value`.
at::Tensor nanWhereNot(const at::Tensor& ok, const at::Tensor& value);

/// MONAI's empty-ground-truth rule of Dice and IoU, element-wise on (B, C)
/// float64: `score` where ySum > 0; otherwise NaN with ignoreEmpty, else
/// `score` where denominator > 0 (0 there, as nothing overlaps) and 1 where
/// prediction and ground truth are both empty.
at::Tensor emptyGroundTruthRule(const at::Tensor& score, const at::Tensor& ySum,
                                const at::Tensor& denominator, bool ignoreEmpty);

/// The dtype of per-case metric values: float64 when y_pred or y is, else
/// float32 (as MONAI's results).
at::ScalarType metricValueType(const at::Tensor& yPred, const at::Tensor& y);

} // namespace medulla
