#pragma once
/// Rand2DElasticd and Rand3DElasticd (one class, two registered names):
/// with probability `prob`, a random elastic deformation followed by a
/// random affine, sampled with the resampling kernel (MONAI's semantics:
/// 3D smooths uniform noise with a Gaussian of sigma in sigma_range; 2D
/// interpolates N(0, 1) offsets of control points `spacing` voxels apart).
/// Not invertible: Invertd refuses samples that went through it.

#include <torch/arg.h>

#include "engine/transforms/RandAffineRanges.h"
#include "engine/transforms/Transform.h"

namespace medulla {

struct RandElasticdOptions {
    TORCH_ARG(int, dims) = 3;
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(std::vector<double>, sigma_range) = {5.0, 8.0}; ///< 3D only
    TORCH_ARG(std::vector<double>, spacing) = {20.0, 20.0};   ///< 2D only
    TORCH_ARG(std::vector<double>, magnitude_range) = {100.0, 200.0};
    TORCH_ARG(double, prob) = 0.1;
    TORCH_ARG(RandAffineRanges, ranges) = {};
    TORCH_ARG(std::vector<int64_t>, spatial_size) = {};
    TORCH_ARG(std::vector<std::string>, mode) = {"bilinear"};
    TORCH_ARG(std::vector<std::string>, padding_mode) = {"reflection"};
};

class RandElasticd : public Transform {
public:
    explicit RandElasticd(RandElasticdOptions options);
    static ComponentInfo info2d();
    static ComponentInfo info3d();
    static std::shared_ptr<Transform> fromJson2d(const Json& config, const std::string& context);
    static std::shared_ptr<Transform> fromJson3d(const Json& config, const std::string& context);

    std::string name() const override;
    bool isRandom() const override { return true; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    static ComponentInfo info(int dims);
    static std::shared_ptr<Transform> fromJson(int dims, const Json& config,
                                               const std::string& context);
    RandElasticdOptions options_;
};

} // namespace medulla
