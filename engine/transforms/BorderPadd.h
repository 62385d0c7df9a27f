#pragma once
/// BorderPadd: pad every spatial border by a given number of voxels
/// (MONAI's BorderPad, CropOps.h); the affine keeps voxels in place.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct BorderPaddOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// 1 value (every border), N (both borders of each axis) or 2N (start,
    /// end of each axis in turn); negative values count as 0.
    TORCH_ARG(std::vector<int64_t>, spatial_border) = {0};
    TORCH_ARG(std::string, mode) = "constant";
    /// Fill value of mode "constant".
    TORCH_ARG(double, value) = 0.0;
};

class BorderPadd : public Transform {
public:
    explicit BorderPadd(BorderPaddOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "BorderPadd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    BorderPaddOptions options_;
};

} // namespace medulla
