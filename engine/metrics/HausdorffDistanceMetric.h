#pragma once
/// MONAI's HausdorffDistanceMetric: per (sample, class) the Hausdorff
/// distance between the surfaces of y_pred and y (the maximum, or a
/// percentile, of the surface distances; symmetric unless directed), in
/// physical units with MetricCall::spacing (euclidean) or in voxels
/// (chessboard, taxicab). One mask empty gives inf (NaN with a percentile,
/// as torch.quantile of infinities is NaN), both empty NaN.

#include <torch/arg.h>

#include <optional>

#include "engine/metrics/Metric.h"
#include "kernels/cpu/SurfaceDistance.h"

namespace medulla {

struct HausdorffDistanceMetricOptions {
    /// Keep channel 0 (it is dropped only when there are 2+ channels).
    TORCH_ARG(bool, include_background) = false;
    /// "euclidean", "chessboard" or "taxicab".
    TORCH_ARG(std::string, distance_metric) = "euclidean";
    /// Unset (or 0, as in MONAI): the maximum; else this percentile in [0, 100]
    /// (torch.quantile, linear interpolation).
    TORCH_ARG(std::optional<double>, percentile) = std::nullopt;
    /// Only the distances from y_pred's surface to y's.
    TORCH_ARG(bool, directed) = false;
    /// One of metricReductions().
    TORCH_ARG(std::string, reduction) = "mean";
    /// Report not-NaN counts with the aggregate (they are always computed).
    TORCH_ARG(bool, get_not_nans) = false;
};

class HausdorffDistanceMetric : public Metric {
public:
    /// Throws ConfigError naming metric.<field> for a bad distance_metric,
    /// percentile or reduction.
    explicit HausdorffDistanceMetric(HausdorffDistanceMetricOptions options = {});
    static ComponentInfo info();
    static std::shared_ptr<Metric> fromJson(const Json& config, const std::string& context);

    /// y_pred, y: binarised one-hot (B, C, *spatial), 1 to 3 spatial dims,
    /// any dtype (foreground = 1), CPU or CUDA. Returns float32 (B, C') on
    /// y_pred's device. ShapeError on bad shapes, ConfigError naming
    /// "spacing" on bad call.spacing.
    at::Tensor compute(const at::Tensor& yPred, const at::Tensor& y,
                       const MetricCall& call) const override;

    std::string name() const override { return "HausdorffDistanceMetric"; }
    /// "HD" for the maximum, "HD95" for percentile 95, ...
    std::string shortName() const override;
    std::string reduction() const override { return options_.reduction(); }
    int64_t firstClass() const override { return options_.include_background() ? 0 : 1; }
    Json toJson() const override;
    const HausdorffDistanceMetricOptions& options() const { return options_; }

private:
    HausdorffDistanceMetricOptions options_;
    kernels::SurfaceMetric metric_;
};

} // namespace medulla
