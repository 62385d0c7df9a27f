#pragma once
/// RemoveSmallObjectsd: MONAI's RemoveSmallObjects on each key
/// (PostOps.h); same dtype, affine unchanged. With by_measure and no
/// pixdim, the volume's own spacing is used (as MONAI does for a
/// MetaTensor).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RemoveSmallObjectsdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"pred"};
    /// Voxels, or a volume in pixdim units when by_measure.
    TORCH_ARG(double, min_size) = 64;
    TORCH_ARG(int64_t, connectivity) = 1;
    TORCH_ARG(bool, independent_channels) = true;
    TORCH_ARG(bool, by_measure) = false;
    TORCH_ARG(std::vector<double>, pixdim) = {}; ///< empty = the volume's spacing
};

class RemoveSmallObjectsd : public Transform {
public:
    explicit RemoveSmallObjectsd(RemoveSmallObjectsdOptions options)
        : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RemoveSmallObjectsd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RemoveSmallObjectsdOptions options_;
};

} // namespace medulla
