#pragma once
/// RandSpatialCropSamplesd: num_samples independent RandSpatialCropd boxes
/// of one sample (MONAI's RandSpatialCropSamples); within each output
/// sample every key gets the same box.

#include <torch/arg.h>

#include "engine/transforms/RandSpatialCropd.h"

namespace medulla {

struct RandSpatialCropSamplesdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(std::vector<int64_t>, roi_size) = {};
    /// Output samples per input sample, >= 1.
    TORCH_ARG(int64_t, num_samples) = 1;
    TORCH_ARG(std::vector<int64_t>, max_roi_size) = {};
    TORCH_ARG(bool, random_center) = true;
    TORCH_ARG(bool, random_size) = false;
};

class RandSpatialCropSamplesd : public Transform {
public:
    explicit RandSpatialCropSamplesd(RandSpatialCropSamplesdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandSpatialCropSamplesd"; }
    bool isRandom() const override { return true; }
    /// The first of the samples applyMany would give.
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    /// num_samples crops; the tensors of keys not cropped are shared.
    std::vector<Sample> applyMany(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandSpatialCropSamplesdOptions options_;
    RandSpatialCropdOptions crop_;
};

} // namespace medulla
