#pragma once
/// Orientationd: permute and flip axes to the orientation `axcodes` (MONAI's
/// Orientation; an oblique affine stays oblique, only axes move).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct OrientationdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(std::string, axcodes) = "RAS";
    TORCH_ARG(bool, as_closest_canonical) = false;
};

class Orientationd : public Transform {
public:
    explicit Orientationd(OrientationdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "Orientationd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    OrientationdOptions options_;
};

} // namespace medulla
