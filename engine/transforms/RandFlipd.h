#pragma once
/// RandFlipd: with probability prob, flip every key along spatial_axis (all
/// axes when empty), keeping world positions (MONAI's RandFlipd).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandFlipdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// Probability of flipping, in [0, 1].
    TORCH_ARG(double, prob) = 0.1;
    TORCH_ARG(std::vector<int64_t>, spatial_axis) = {};
};

class RandFlipd : public Transform {
public:
    explicit RandFlipd(RandFlipdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandFlipd"; }
    bool isRandom() const override { return true; }
    /// One rng.uniform() per call; all keys flip or none.
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandFlipdOptions options_;
};

} // namespace medulla
