#pragma once
/// RandGaussianSharpend: with probability `prob`, MONAI's GaussianSharpen
/// with sigma1 per axis drawn from sigma1_x/y/z, sigma2 per axis drawn from
/// sigma2_x/y/z (a single value X means the range [X, drawn sigma1]) and
/// alpha drawn from `alpha`; the same draws for every key of the sample.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandGaussianSharpendOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(std::vector<double>, sigma1_x) = {0.5, 1.0}; ///< (low, high), voxels
    TORCH_ARG(std::vector<double>, sigma1_y) = {0.5, 1.0};
    TORCH_ARG(std::vector<double>, sigma1_z) = {0.5, 1.0};
    TORCH_ARG(std::vector<double>, sigma2_x) = {0.5}; ///< (low, high) or low (up to sigma1)
    TORCH_ARG(std::vector<double>, sigma2_y) = {0.5};
    TORCH_ARG(std::vector<double>, sigma2_z) = {0.5};
    TORCH_ARG(std::vector<double>, alpha) = {10.0, 30.0};
    TORCH_ARG(std::string, approx) = "erf";
    TORCH_ARG(double, prob) = 0.1;
};

class RandGaussianSharpend : public Transform {
public:
    explicit RandGaussianSharpend(RandGaussianSharpendOptions options)
        : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandGaussianSharpend"; }
    bool isRandom() const override { return true; }
    /// Draws u < prob first, then x1, y1, z1, x2, y2, z2, alpha (MONAI's order).
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandGaussianSharpendOptions options_;
};

} // namespace medulla
