#pragma once
/// CenterSpatialCropd: crop roi_size voxels around the centre (MONAI's
/// CenterSpatialCrop, CropPadOps.h).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct CenterSpatialCropdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(std::vector<int64_t>, roi_size) = {};
};

class CenterSpatialCropd : public Transform {
public:
    explicit CenterSpatialCropd(CenterSpatialCropdOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "CenterSpatialCropd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    CenterSpatialCropdOptions options_;
};

} // namespace medulla
