#pragma once
/// RandWeightedCropd: crop num_samples patches of spatial_size whose centres
/// are drawn with probability proportional to the weight map at w_key
/// (first channel), among the centres where the whole patch fits (MONAI's
/// RandWeightedCrop / weighted_patch_samples). Negative weights are
/// shifted up by the minimum; an all-zero or non-finite map samples
/// uniformly.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandWeightedCropdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// Key of the weight map (1, *spatial); only channel 0 is used.
    TORCH_ARG(std::string, w_key) = "weight";
    /// Patch size per axis; <= 0 takes the image's size.
    TORCH_ARG(std::vector<int64_t>, spatial_size) = {};
    TORCH_ARG(int64_t, num_samples) = 1;
};

/// The centres weighted_patch_samples draws: `n` voxel centres (array
/// order) from weight map `w` (*spatial), one rng.uniform() per centre (or
/// rng.integer when sampling uniformly). Exposed for tests.
std::vector<std::vector<int64_t>> weightedPatchCenters(const at::Tensor& w,
                                                       const std::vector<int64_t>& spatialSize,
                                                       int64_t n, RandomGenerator& rng,
                                                       const std::string& context);

class RandWeightedCropd : public Transform {
public:
    explicit RandWeightedCropd(RandWeightedCropdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandWeightedCropd"; }
    bool isRandom() const override { return true; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    std::vector<Sample> applyMany(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandWeightedCropdOptions options_;
};

} // namespace medulla
