#pragma once
/// ResizeWithPadOrCropd: bring each spatial axis to spatial_size by
/// centre-cropping the larger axes and padding the smaller ones (MONAI's
/// ResizeWithPadOrCrop, CropOps.h); no resampling, world positions kept.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct ResizeWithPadOrCropdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// Target size per axis (1 value: all axes); <= 0 keeps that axis.
    TORCH_ARG(std::vector<int64_t>, spatial_size) = {};
    TORCH_ARG(std::string, method) = "symmetric";
    TORCH_ARG(std::string, mode) = "constant";
    TORCH_ARG(double, value) = 0.0;
};

class ResizeWithPadOrCropd : public Transform {
public:
    explicit ResizeWithPadOrCropd(ResizeWithPadOrCropdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "ResizeWithPadOrCropd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    ResizeWithPadOrCropdOptions options_;
};

} // namespace medulla
