#pragma once
/// NormalizeIntensityd: (x - subtrahend) / divisor, by default the mean and
/// population standard deviation (of the non-zero voxels with `nonzero`,
/// per channel with `channel_wise`); MONAI's semantics, IntensityOps.h.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct NormalizeIntensitydOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    /// Empty: the mean; one value, or one per channel with channel_wise.
    TORCH_ARG(std::vector<double>, subtrahend) = {};
    /// Empty: the standard deviation; one value, or one per channel.
    TORCH_ARG(std::vector<double>, divisor) = {};
    TORCH_ARG(bool, nonzero) = false;
    TORCH_ARG(bool, channel_wise) = false;
};

class NormalizeIntensityd : public Transform {
public:
    explicit NormalizeIntensityd(NormalizeIntensitydOptions options)
        : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "NormalizeIntensityd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    NormalizeIntensitydOptions options_;
};

} // namespace medulla
