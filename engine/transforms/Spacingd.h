#pragma once
/// Spacingd: resample to the voxel spacing `pixdim` (mm) keeping the
/// direction cosines and the world position of voxel 0 (MONAI's Spacing,
/// ResampleOps.h). Per-key mode and padding_mode ("bilinear" for images,
/// "nearest" for labels).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct SpacingdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(std::vector<double>, pixdim) = {1.0, 1.0, 1.0};
    TORCH_ARG(bool, diagonal) = false;
    TORCH_ARG(std::vector<std::string>, mode) = {"bilinear"};
    TORCH_ARG(std::vector<std::string>, padding_mode) = {"border"};
    TORCH_ARG(bool, align_corners) = false;
    TORCH_ARG(bool, scale_extent) = false;
    TORCH_ARG(std::vector<double>, min_pixdim) = {};
    TORCH_ARG(std::vector<double>, max_pixdim) = {};
};

class Spacingd : public Transform {
public:
    /// Throws ConfigError naming the parameter for impossible values.
    explicit Spacingd(SpacingdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "Spacingd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    SpacingdOptions options_;
};

} // namespace medulla
