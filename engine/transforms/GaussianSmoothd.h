#pragma once
/// GaussianSmoothd: MONAI's GaussianSmooth on each key (FilterOps.h);
/// the output is float32, the affine unchanged.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct GaussianSmoothdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    /// Voxels; one value for every spatial dim or one per dim.
    TORCH_ARG(std::vector<double>, sigma) = {1.0};
    TORCH_ARG(std::string, approx) = "erf";
};

class GaussianSmoothd : public Transform {
public:
    explicit GaussianSmoothd(GaussianSmoothdOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "GaussianSmoothd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    GaussianSmoothdOptions options_;
};

} // namespace medulla
