#pragma once
/// ScaleIntensityRangePercentilesd: ScaleIntensityRanged with a_min/a_max
/// taken from the image's `lower`/`upper` intensity percentiles (numpy's
/// linear interpolation), optionally per channel (RandIntensityOps.h).

#include <torch/arg.h>

#include <optional>

#include "engine/transforms/Transform.h"

namespace medulla {

struct ScaleIntensityRangePercentilesdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(double, lower) = 0.0;                ///< percentile in [0, 100] mapped to b_min
    TORCH_ARG(double, upper) = 100.0;              ///< percentile in [0, 100] mapped to b_max
    TORCH_ARG(std::optional<double>, b_min) = 0.0; ///< unset: no output scaling
    TORCH_ARG(std::optional<double>, b_max) = 1.0;
    TORCH_ARG(bool, clip) = false;
    /// Map to the same percentiles of [b_min, b_max] instead of its ends.
    TORCH_ARG(bool, relative) = false;
    TORCH_ARG(bool, channel_wise) = false;
    TORCH_ARG(std::string, dtype) = "float32"; ///< output dtype ("" keeps float32)
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class ScaleIntensityRangePercentilesd : public Transform {
public:
    /// Throws ConfigError for percentiles outside [0, 100], or `relative`
    /// without b_min and b_max.
    explicit ScaleIntensityRangePercentilesd(ScaleIntensityRangePercentilesdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "ScaleIntensityRangePercentilesd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    ScaleIntensityRangePercentilesdOptions options_;
    std::optional<at::ScalarType> dtype_;
};

} // namespace medulla
