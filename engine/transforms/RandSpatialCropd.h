#pragma once
/// RandSpatialCropd: crop a box of roi_size (or of a random size between
/// roi_size and max_roi_size) at a random position or at the centre
/// (MONAI's RandSpatialCrop). Every key gets the same box, drawn from the
/// first key's shape; axes smaller than the box are kept whole.

#include <torch/arg.h>

#include "engine/transforms/CropOps.h"
#include "engine/transforms/Transform.h"

namespace medulla {

struct RandSpatialCropdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// Box size (random_size: the smallest size); <= 0 takes the image's size.
    TORCH_ARG(std::vector<int64_t>, roi_size) = {};
    /// Largest size when random_size; empty = the image's size, <= 0 too.
    TORCH_ARG(std::vector<int64_t>, max_roi_size) = {};
    /// Random position (true) or the image centre.
    TORCH_ARG(bool, random_center) = true;
    /// Size drawn uniformly per axis from [roi_size, max_roi_size].
    TORCH_ARG(bool, random_size) = false;
};

/// Draw one RandSpatialCrop box for an image of `shape` (voxels). Draws, in
/// order: the size per axis (random_size), then the start per axis
/// (random_center). Throws ConfigError naming `context` for sizes that do
/// not fit the image's number of axes or min > max.
CropBox randomSpatialCropBox(const std::vector<int64_t>& shape, const RandSpatialCropdOptions& o,
                             RandomGenerator& rng, const std::string& context);

/// Checks shared with RandSpatialCropSamplesd; errors name `context`.
void checkRandSpatialCropOptions(const RandSpatialCropdOptions& o, const std::string& context);

class RandSpatialCropd : public Transform {
public:
    explicit RandSpatialCropd(RandSpatialCropdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandSpatialCropd"; }
    bool isRandom() const override { return true; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandSpatialCropdOptions options_;
};

} // namespace medulla
