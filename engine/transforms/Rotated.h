#pragma once
/// Rotated: rotate about the image centre by `angle` radians (2D: one
/// angle; 3D: about axes 0, 1, 2), MONAI's Rotate on the resampling kernel.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RotatedOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(std::vector<double>, angle) = {0.0};
    TORCH_ARG(bool, keep_size) = true;
    TORCH_ARG(std::vector<std::string>, mode) = {"bilinear"};
    TORCH_ARG(std::vector<std::string>, padding_mode) = {"border"};
    TORCH_ARG(bool, align_corners) = false;
};

class Rotated : public Transform {
public:
    explicit Rotated(RotatedOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "Rotated"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

    /// Rotate every key by `angle` (shared with RandRotated).
    static Sample rotateKeys(Sample sample, const RotatedOptions& options,
                             const std::vector<double>& angle, const std::string& transform);

private:
    RotatedOptions options_;
};

} // namespace medulla
