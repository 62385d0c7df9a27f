#pragma once
/// RandAdjustContrastd: with probability `prob`, gamma-correct every key,
/// x = ((x - min) / range)^g * range + min with g from uniform(gamma);
/// the same g for all keys of a sample (RandIntensityOps.h adjustContrast).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandAdjustContrastdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(double, prob) = 0.1;
    /// Range of gamma; one value g (> 0.5) means (0.5, g).
    TORCH_ARG(std::vector<double>, gamma) = std::vector<double>{0.5, 4.5};
    TORCH_ARG(bool, invert_image) = false;
    TORCH_ARG(bool, retain_stats) = false;
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class RandAdjustContrastd : public Transform {
public:
    /// Throws ConfigError for prob outside [0, 1], one gamma <= 0.5, or not
    /// 1 or 2 gamma values.
    explicit RandAdjustContrastd(RandAdjustContrastdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandAdjustContrastd"; }
    bool isRandom() const override { return true; }
    /// Draws uniform() < prob, then gamma.
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandAdjustContrastdOptions options_;
    std::pair<double, double> range_;
};

} // namespace medulla
