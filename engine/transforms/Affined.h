#pragma once
/// Affined: apply rotate @ shear @ translate @ scale to the centred voxel
/// grid (MONAI's Affine; ResampleOps.h), on the resampling kernel.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct AffinedOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(std::vector<double>, rotate_params) = {};
    TORCH_ARG(std::vector<double>, shear_params) = {};
    TORCH_ARG(std::vector<double>, translate_params) = {};
    TORCH_ARG(std::vector<double>, scale_params) = {};
    TORCH_ARG(std::vector<int64_t>, spatial_size) = {};
    TORCH_ARG(std::vector<std::string>, mode) = {"bilinear"};
    TORCH_ARG(std::vector<std::string>, padding_mode) = {"reflection"};
    TORCH_ARG(bool, align_corners) = false;
};

class Affined : public Transform {
public:
    explicit Affined(AffinedOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "Affined"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    AffinedOptions options_;
};

} // namespace medulla
