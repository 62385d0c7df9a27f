#pragma once
/// MONAI's SurfaceDiceMetric (normalised surface Dice, NSD): per (sample,
/// class) the fraction of the edge voxels of both surfaces whose distance to
/// the other surface is <= the class threshold. Boundary size = number of
/// edge voxels (MONAI's default use_subvoxels=False). A class present in only
/// one mask gives 0, in neither NaN.
///
/// Not implemented: use_subvoxels=True (DeepMind's marching-cubes surface
/// elements); constructing with it throws ConfigError naming
/// metric.use_subvoxels.

#include <torch/arg.h>

#include <vector>

#include "engine/metrics/Metric.h"
#include "kernels/cpu/SurfaceDistance.h"

namespace medulla {

struct SurfaceDiceMetricOptions {
    /// One tolerance per kept class, in the spacing's units (mm), finite and
    /// >= 0. Required.
    TORCH_ARG(std::vector<double>, class_thresholds) = {};
    /// Keep channel 0 (it is dropped only when there are 2+ channels).
    TORCH_ARG(bool, include_background) = false;
    /// "euclidean", "chessboard" or "taxicab".
    TORCH_ARG(std::string, distance_metric) = "euclidean";
    /// One of metricReductions().
    TORCH_ARG(std::string, reduction) = "mean";
    /// Report not-NaN counts with the aggregate (they are always computed).
    TORCH_ARG(bool, get_not_nans) = false;
    /// Must stay false (see the file comment).
    TORCH_ARG(bool, use_subvoxels) = false;
};

class SurfaceDiceMetric : public Metric {
public:
    /// Throws ConfigError naming metric.<field> for a bad threshold,
    /// distance_metric or reduction, or use_subvoxels = true.
    explicit SurfaceDiceMetric(SurfaceDiceMetricOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Metric> fromJson(const Json& config, const std::string& context);

    /// y_pred, y: binarised one-hot (B, C, H, W[, D]) (2 or 3 spatial dims,
    /// like MONAI), any dtype (foreground = 1), CPU or CUDA. Returns float32
    /// (B, C') on y_pred's device. ShapeError on bad shapes; ConfigError
    /// naming metric.class_thresholds when C' differs from the number of
    /// thresholds, "spacing" on bad call.spacing.
    at::Tensor compute(const at::Tensor& yPred, const at::Tensor& y,
                       const MetricCall& call) const override;

    std::string name() const override { return "SurfaceDiceMetric"; }
    std::string shortName() const override { return "NSD"; }
    std::string reduction() const override { return options_.reduction(); }
    int64_t firstClass() const override { return options_.include_background() ? 0 : 1; }
    Json toJson() const override;
    const SurfaceDiceMetricOptions& options() const { return options_; }

private:
    SurfaceDiceMetricOptions options_;
    kernels::SurfaceMetric metric_;
};

} // namespace medulla
