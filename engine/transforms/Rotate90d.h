#pragma once
/// Rotate90d: rotate by k x 90 degrees in the plane of two spatial axes
/// (MONAI's Rotate90, CropPadOps.h).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct Rotate90dOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(int64_t, k) = 1;
    TORCH_ARG(std::vector<int64_t>, spatial_axes) = {0, 1};
};

class Rotate90d : public Transform {
public:
    explicit Rotate90d(Rotate90dOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "Rotate90d"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    Rotate90dOptions options_;
};

} // namespace medulla
