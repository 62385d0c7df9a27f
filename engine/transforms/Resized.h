#pragma once
/// Resized: resize to spatial_size keeping the field of view (MONAI's
/// Resize on torch interpolate; ResampleOps.h).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct ResizedOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(std::vector<int64_t>, spatial_size) = {};
    TORCH_ARG(std::string, size_mode) = "all";
    TORCH_ARG(std::vector<std::string>, mode) = {"area"};
    /// "none" (torch default), "true" or "false"
    TORCH_ARG(std::string, align_corners) = "none";
    TORCH_ARG(bool, anti_aliasing) = false;
    TORCH_ARG(std::vector<double>, anti_aliasing_sigma) = {};
};

class Resized : public Transform {
public:
    explicit Resized(ResizedOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "Resized"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    ResizedOptions options_;
};

} // namespace medulla
