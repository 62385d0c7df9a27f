#pragma once
/// ScaleIntensityRanged: (x - a_min) / (a_max - a_min) mapped to [b_min,
/// b_max], clipped there when `clip` (MONAI's semantics, IntensityOps.h).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct ScaleIntensityRangedOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(double, a_min) = 0.0;   ///< input value mapped to b_min
    TORCH_ARG(double, a_max) = 255.0; ///< input value mapped to b_max
    TORCH_ARG(double, b_min) = 0.0;
    TORCH_ARG(double, b_max) = 1.0;
    TORCH_ARG(bool, clip) = false;
};

class ScaleIntensityRanged : public Transform {
public:
    explicit ScaleIntensityRanged(ScaleIntensityRangedOptions options)
        : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "ScaleIntensityRanged"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    ScaleIntensityRangedOptions options_;
};

} // namespace medulla
