#pragma once
/// RandRotate90d: with probability prob, rotate every key by k x 90 degrees
/// in the plane of spatial_axes, k drawn uniformly from 1..max_k, keeping
/// world positions (MONAI's RandRotate90d).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandRotate90dOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// Probability of rotating, in [0, 1].
    TORCH_ARG(double, prob) = 0.1;
    /// Largest number of quarter turns, >= 1.
    TORCH_ARG(int64_t, max_k) = 3;
    /// The two spatial axes of the plane.
    TORCH_ARG(std::vector<int64_t>, spatial_axes) = {0, 1};
};

class RandRotate90d : public Transform {
public:
    explicit RandRotate90d(RandRotate90dOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandRotate90d"; }
    bool isRandom() const override { return true; }
    /// Draws rng.uniform() (apply?) then, if applied, k; same k for all keys.
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandRotate90dOptions options_;
};

} // namespace medulla
