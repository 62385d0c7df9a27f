#pragma once
/// RandAffined: with probability `prob`, an Affined with parameters drawn
/// from the ranges (MONAI's RandAffined); the same draw for every key.

#include <torch/arg.h>

#include "engine/transforms/RandAffineRanges.h"
#include "engine/transforms/Transform.h"

namespace medulla {

struct RandAffinedOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(double, prob) = 0.1;
    TORCH_ARG(RandAffineRanges, ranges) = {};
    TORCH_ARG(std::vector<int64_t>, spatial_size) = {};
    TORCH_ARG(std::vector<std::string>, mode) = {"bilinear"};
    TORCH_ARG(std::vector<std::string>, padding_mode) = {"reflection"};
};

class RandAffined : public Transform {
public:
    explicit RandAffined(RandAffinedOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandAffined"; }
    bool isRandom() const override { return true; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandAffinedOptions options_;
};

} // namespace medulla
