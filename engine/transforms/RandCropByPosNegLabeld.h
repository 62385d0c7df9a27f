#pragma once
/// RandCropByPosNegLabeld: crop num_samples patches of spatial_size, each
/// centred on a foreground voxel with probability pos / (pos + neg), else on
/// a background voxel; centres are moved inward so the patch fits.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandCropByPosNegLabeldOptions {
    /// Keys cropped with the same box.
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// Key of the label map that defines foreground (> 0).
    TORCH_ARG(std::string, label_key) = "label";
    /// Patch size per spatial axis; a value <= 0 takes the image's size.
    TORCH_ARG(std::vector<int64_t>, spatial_size) = {96, 96, 96};
    /// Relative weight of foreground-centred patches.
    TORCH_ARG(double, pos) = 1.0;
    /// Relative weight of background-centred patches.
    TORCH_ARG(double, neg) = 1.0;
    /// Patches per input sample.
    TORCH_ARG(int64_t, num_samples) = 1;
    /// If set, background centres need image > image_threshold.
    TORCH_ARG(std::string, image_key) = "";
    TORCH_ARG(double, image_threshold) = 0.0;
};

class RandCropByPosNegLabeld : public Transform {
public:
    explicit RandCropByPosNegLabeld(RandCropByPosNegLabeldOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandCropByPosNegLabeld"; }
    bool isRandom() const override { return true; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    std::vector<Sample> applyMany(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandCropByPosNegLabeldOptions options_;
};

} // namespace medulla
