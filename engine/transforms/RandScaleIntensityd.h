#pragma once
/// RandScaleIntensityd: with probability `prob`, v = v * (1 + factor) with
/// factor from uniform(factors) (one per channel when `channel_wise`); the
/// same factors for all keys of a sample.

#include <torch/arg.h>

#include <optional>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandScaleIntensitydOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    /// One value v: (-|v|, |v|); two values: their range.
    TORCH_ARG(std::vector<double>, factors) = {};
    TORCH_ARG(double, prob) = 0.1;
    TORCH_ARG(bool, channel_wise) = false;
    TORCH_ARG(std::string, dtype) = "float32"; ///< output dtype when applied
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class RandScaleIntensityd : public Transform {
public:
    /// Throws ConfigError for prob outside [0, 1] or factors not 1 or 2 values.
    explicit RandScaleIntensityd(RandScaleIntensitydOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandScaleIntensityd"; }
    bool isRandom() const override { return true; }
    /// Draws uniform() < prob, then one factor (channel_wise: one per
    /// channel of the first present key).
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandScaleIntensitydOptions options_;
    std::pair<double, double> range_;
    std::optional<at::ScalarType> dtype_;
};

} // namespace medulla
