#pragma once
/// RandShiftIntensityd: with probability `prob`, add an offset drawn from
/// uniform(offsets) to every key (one offset per channel when
/// `channel_wise`); the same offsets for all keys of a sample. The dtype is
/// kept (integers wrap, or clamp when `safe`).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandShiftIntensitydOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    /// One value v: (-|v|, |v|); two values: their range.
    TORCH_ARG(std::vector<double>, offsets) = {};
    TORCH_ARG(bool, safe) = false;
    TORCH_ARG(double, prob) = 0.1;
    TORCH_ARG(bool, channel_wise) = false;
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class RandShiftIntensityd : public Transform {
public:
    /// Throws ConfigError for prob outside [0, 1] or offsets not 1 or 2 values.
    explicit RandShiftIntensityd(RandShiftIntensitydOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandShiftIntensityd"; }
    bool isRandom() const override { return true; }
    /// Draws uniform() < prob, then one offset (channel_wise: one per
    /// channel of the first present key).
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandShiftIntensitydOptions options_;
    std::pair<double, double> range_;
};

} // namespace medulla
