#pragma once
/// ThresholdIntensityd: keep values above (or below) `threshold`, set the
/// others to `cval` (MONAI's semantics, IntensityOps.h).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct ThresholdIntensitydOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(double, threshold) = 0.0;
    TORCH_ARG(bool, above) = true; ///< keep values above the threshold (else below)
    TORCH_ARG(double, cval) = 0.0; ///< value for the others
};

class ThresholdIntensityd : public Transform {
public:
    explicit ThresholdIntensityd(ThresholdIntensitydOptions options)
        : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "ThresholdIntensityd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    ThresholdIntensitydOptions options_;
};

} // namespace medulla
