#pragma once
/// RandCropByLabelClassesd: crop num_samples patches of spatial_size, each
/// centred on a voxel of a class drawn with probability ratios[c] / sum
/// (MONAI's RandCropByLabelClasses). The label holds class indices (1
/// channel, num_classes needed) or is one-hot (C channels = C classes).
/// Centres move inward so the patch fits; every key gets the same patch.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandCropByLabelClassesdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// Key of the label map that defines the classes.
    TORCH_ARG(std::string, label_key) = "label";
    /// Patch size per axis; <= 0 takes the label's size.
    TORCH_ARG(std::vector<int64_t>, spatial_size) = {96, 96, 96};
    /// Relative frequency of each class as a centre, background included;
    /// empty = all classes alike. Classes without voxels get ratio 0.
    TORCH_ARG(std::vector<double>, ratios) = {};
    /// Number of classes of a 1-channel label; 0 = not given (one-hot label).
    TORCH_ARG(int64_t, num_classes) = 0;
    /// Patches per input sample.
    TORCH_ARG(int64_t, num_samples) = 1;
    /// If set, centres need any(image channel > image_threshold).
    TORCH_ARG(std::string, image_key) = "";
    TORCH_ARG(double, image_threshold) = 0.0;
    /// Patch larger than the image: keep the whole axis (true) or fail.
    TORCH_ARG(bool, allow_smaller) = false;
    /// Keep at most this many evenly spaced candidate voxels per class; 0 = all.
    TORCH_ARG(int64_t, max_samples_per_class) = 0;
};

class RandCropByLabelClassesd : public Transform {
public:
    explicit RandCropByLabelClassesd(RandCropByLabelClassesdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandCropByLabelClassesd"; }
    bool isRandom() const override { return true; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    /// num_samples patches; per patch, draws the class, then the voxel.
    std::vector<Sample> applyMany(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandCropByLabelClassesdOptions options_;
};

} // namespace medulla
