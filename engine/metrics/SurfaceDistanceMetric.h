#pragma once
/// MONAI's SurfaceDistanceMetric: per (sample, class) the average distance
/// from y_pred's surface to y's (symmetric: the mean over the distances of
/// both directions together), in physical units with MetricCall::spacing
/// (euclidean) or in voxels. One mask empty gives inf, both empty NaN.

#include <torch/arg.h>

#include "engine/metrics/Metric.h"
#include "kernels/cpu/SurfaceDistance.h"

namespace medulla {

struct SurfaceDistanceMetricOptions {
    /// Keep channel 0 (it is dropped only when there are 2+ channels).
    TORCH_ARG(bool, include_background) = false;
    /// Average over both directions' distances together.
    TORCH_ARG(bool, symmetric) = false;
    /// "euclidean", "chessboard" or "taxicab".
    TORCH_ARG(std::string, distance_metric) = "euclidean";
    /// One of metricReductions().
    TORCH_ARG(std::string, reduction) = "mean";
    /// Report not-NaN counts with the aggregate (they are always computed).
    TORCH_ARG(bool, get_not_nans) = false;
};

class SurfaceDistanceMetric : public Metric {
public:
    /// Throws ConfigError naming metric.<field> for a bad distance_metric or
    /// reduction.
    explicit SurfaceDistanceMetric(SurfaceDistanceMetricOptions options = {});
    static ComponentInfo info();
    static std::shared_ptr<Metric> fromJson(const Json& config, const std::string& context);

    /// y_pred, y: binarised one-hot (B, C, *spatial), 1 to 3 spatial dims,
    /// any dtype (foreground = 1), CPU or CUDA. Returns float32 (B, C') on
    /// y_pred's device. ShapeError on bad shapes, ConfigError naming
    /// "spacing" on bad call.spacing.
    at::Tensor compute(const at::Tensor& yPred, const at::Tensor& y,
                       const MetricCall& call) const override;

    std::string name() const override { return "SurfaceDistanceMetric"; }
    /// "ASSD" when symmetric, else "ASD".
    std::string shortName() const override { return options_.symmetric() ? "ASSD" : "ASD"; }
    std::string reduction() const override { return options_.reduction(); }
    int64_t firstClass() const override { return options_.include_background() ? 0 : 1; }
    Json toJson() const override;
    const SurfaceDistanceMetricOptions& options() const { return options_; }

private:
    SurfaceDistanceMetricOptions options_;
    kernels::SurfaceMetric metric_;
};

} // namespace medulla
