#pragma once
/// CropForegroundd: crop every key to the bounding box of source_key's
/// foreground (any chosen channel > 0), plus margin, grown to a multiple of
/// k_divisible (MONAI's CropForeground, CropOps.h). Parts of the box outside
/// the image (allow_smaller=false, or k_divisible growth) are padded.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct CropForegrounddOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// The key whose foreground defines the box (e.g. "image").
    TORCH_ARG(std::string, source_key) = "image";
    /// Channels of source_key that count; empty = all.
    TORCH_ARG(std::vector<int64_t>, channel_indices) = {};
    /// Voxels added on each side (1 value or one per axis), >= 0.
    TORCH_ARG(std::vector<int64_t>, margin) = {0};
    /// True: the margin stops at the image edges; false: it may reach
    /// outside and that part is padded.
    TORCH_ARG(bool, allow_smaller) = true;
    /// Box size made a multiple of k per axis (<= 0 or 1: unchanged).
    TORCH_ARG(std::vector<int64_t>, k_divisible) = {1};
    TORCH_ARG(std::string, mode) = "constant";
    TORCH_ARG(double, value) = 0.0;
};

class CropForegroundd : public Transform {
public:
    explicit CropForegroundd(CropForegrounddOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "CropForegroundd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    CropForegrounddOptions options_;
};

} // namespace medulla
