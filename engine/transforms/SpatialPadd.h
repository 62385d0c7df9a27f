#pragma once
/// SpatialPadd: pad each spatial axis to spatial_size (MONAI's SpatialPad,
/// CropPadOps.h); the affine keeps voxels in place.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct SpatialPaddOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(std::vector<int64_t>, spatial_size) = {};
    TORCH_ARG(std::string, method) = "symmetric";
    TORCH_ARG(std::string, mode) = "constant";
    TORCH_ARG(double, value) = 0.0;
};

class SpatialPadd : public Transform {
public:
    explicit SpatialPadd(SpatialPaddOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "SpatialPadd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    SpatialPaddOptions options_;
};

} // namespace medulla
