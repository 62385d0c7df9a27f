#pragma once
/// RandHistogramShiftd: with probability `prob`, remap intensities with a
/// random monotonic piecewise-linear curve through n control points (n drawn
/// from num_control_points); the same curve for all keys of a sample.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandHistogramShiftdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    /// One value n (>= 3), or a (min, max) range to draw n from.
    TORCH_ARG(std::vector<int64_t>, num_control_points) = std::vector<int64_t>{10};
    TORCH_ARG(double, prob) = 0.1;
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class RandHistogramShiftd : public Transform {
public:
    /// Throws ConfigError for prob outside [0, 1], fewer than 3 control
    /// points, or not 1 or 2 values.
    explicit RandHistogramShiftd(RandHistogramShiftdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandHistogramShiftd"; }
    bool isRandom() const override { return true; }
    /// Draws uniform() < prob, then n in [min, max], then the n - 2 inner
    /// control points: y[i] = uniform(y[i-1], x[i+1]) in order, y[0] = 0,
    /// y[n-1] = 1, x = linspace(0, 1, n) (MONAI's randomize()).
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandHistogramShiftdOptions options_;
    std::pair<int64_t, int64_t> range_;
};

} // namespace medulla
