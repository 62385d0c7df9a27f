#pragma once
/// RandGaussianSmoothd: with probability `prob`, MONAI's GaussianSmooth with
/// per-axis sigmas drawn uniformly from sigma_x / sigma_y / sigma_z (the
/// same sigmas for every key of the sample; 2D data uses x and y).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandGaussianSmoothdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(std::vector<double>, sigma_x) = {0.25, 1.5}; ///< (low, high), voxels
    TORCH_ARG(std::vector<double>, sigma_y) = {0.25, 1.5};
    TORCH_ARG(std::vector<double>, sigma_z) = {0.25, 1.5};
    TORCH_ARG(double, prob) = 0.1;
    TORCH_ARG(std::string, approx) = "erf";
};

class RandGaussianSmoothd : public Transform {
public:
    explicit RandGaussianSmoothd(RandGaussianSmoothdOptions options)
        : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandGaussianSmoothd"; }
    bool isRandom() const override { return true; }
    /// Draws u < prob first, then sigma x, y, z (always three draws).
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandGaussianSmoothdOptions options_;
};

} // namespace medulla
