#pragma once
/// ScaleIntensityd: linearly rescale intensities to [minv, maxv] (MONAI
/// semantics: a constant image becomes minv * value).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct ScaleIntensitydOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    /// Output minimum.
    TORCH_ARG(double, minv) = 0.0;
    /// Output maximum.
    TORCH_ARG(double, maxv) = 1.0;
    /// Rescale each channel on its own range.
    TORCH_ARG(bool, channel_wise) = false;
};

class ScaleIntensityd : public Transform {
public:
    explicit ScaleIntensityd(ScaleIntensitydOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "ScaleIntensityd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    ScaleIntensitydOptions options_;
};

} // namespace medulla
