#pragma once
/// What HausdorffDistanceMetric, SurfaceDistanceMetric and SurfaceDiceMetric
/// share beyond MetricInputs.h: distance_metric, nullable numbers and MONAI's
/// per (sample, class) loop (prepare_spacing, get_edge_surface_distance)
/// around kernels/cpu/SurfaceDistance.h.

#include <ATen/Tensor.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/metrics/Metric.h"
#include "kernels/cpu/SurfaceDistance.h"

namespace medulla::surface_metrics {

/// distance_metric name -> kernel enum; ConfigError naming `field` otherwise.
kernels::SurfaceMetric parseDistanceMetric(const std::string& name, const std::string& field);

/// ParamSpec of distance_metric (MONAI's default "euclidean"); the other
/// shared ones are in MetricInputs.h.
ParamSpec distanceMetricParam();
/// A number that may be unset: JSON null or "none" (the default) or a
/// number in [lo, hi] (ParamType::Object, like SegResNet's dropout_prob).
ParamSpec optionalNumberParam(const std::string& name, double lo, double hi,
                              const std::string& help);
/// Reads such a parameter; ConfigError naming the field for anything else
/// or a number out of range.
std::optional<double> readOptionalNumber(const ParamReader& r, const std::string& key, double lo,
                                         double hi);

/// The spacing of each of `batch` samples from MetricCall::spacing (empty =
/// unit spacing, given as an empty list). Throws ConfigError naming
/// "spacing" when there are neither 1 nor `batch` lists, a list has neither
/// 1 nor `spatialDims` values, or a value is not finite and > 0.
std::vector<std::vector<double>> spacingPerSample(const MetricCall& call, int64_t batch,
                                                  int64_t spatialDims);

/// value(c, distances) of one (sample, class) pair; c counts the kept
/// classes from 0.
using PairValue = std::function<float(int64_t c, kernels::SurfaceDistances& distances)>;

/// MONAI's loop: checks y_pred and y (binarised one-hot (B, C, *spatial),
/// 1 to 3 spatial dims, any dtype, CPU or CUDA: CUDA masks are copied to the
/// CPU), drops channel 0 unless includeBackground (or C == 1), computes the
/// surface distances of every (b, c) pair with `options` and the sample's
/// spacing, and returns value(c, distances) as float32 (B, C') on y_pred's
/// device. Pairs run in parallel (at::parallel_for) when there are several
/// small ones; a single large pair parallelises inside the kernel.
/// `metricName` prefixes the ShapeErrors.
at::Tensor perPair(const std::string& metricName, const at::Tensor& yPred, const at::Tensor& y,
                   bool includeBackground, const kernels::SurfaceDistanceOptions& options,
                   const MetricCall& call, const PairValue& value);

} // namespace medulla::surface_metrics
