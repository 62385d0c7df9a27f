#pragma once
/// Flipd: flip the given spatial axes (all when empty), keeping every voxel's
/// world position (MONAI's Flip, CropPadOps.h).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct FlipdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(std::vector<int64_t>, spatial_axis) = {};
};

class Flipd : public Transform {
public:
    explicit Flipd(FlipdOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "Flipd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    FlipdOptions options_;
};

} // namespace medulla
