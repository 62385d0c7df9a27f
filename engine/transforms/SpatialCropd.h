#pragma once
/// SpatialCropd: crop a region of interest given by roi_center + roi_size or
/// by roi_start + roi_end (MONAI's SpatialCrop, CropOps.h). The box is
/// clipped to the image, so the result may be smaller than asked.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct SpatialCropdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// Voxel centre of the box (with roi_size); empty = not used.
    TORCH_ARG(std::vector<int64_t>, roi_center) = {};
    /// Box size in voxels (with roi_center), each >= 1.
    TORCH_ARG(std::vector<int64_t>, roi_size) = {};
    /// First voxel of the box (with roi_end).
    TORCH_ARG(std::vector<int64_t>, roi_start) = {};
    /// One past the last voxel (with roi_start); clipped to the image.
    TORCH_ARG(std::vector<int64_t>, roi_end) = {};
};

class SpatialCropd : public Transform {
public:
    /// Throws ConfigError unless exactly one of the pairs is given.
    explicit SpatialCropd(SpatialCropdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "SpatialCropd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    SpatialCropdOptions options_;
};

} // namespace medulla
