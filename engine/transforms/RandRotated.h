#pragma once
/// RandRotated: with probability `prob`, rotate by angles drawn from
/// range_x/range_y/range_z (r: [-r, r); [min, max]); MONAI's RandRotated.

#include <torch/arg.h>

#include "engine/transforms/RandRange.h"
#include "engine/transforms/Rotated.h"

namespace medulla {

struct RandRotatedOptions {
    TORCH_ARG(RotatedOptions,
              rotate) = {}; ///< keys, keep_size, mode, padding, align (angle unused)
    TORCH_ARG(RandRange, range_x) = {};
    TORCH_ARG(RandRange, range_y) = {};
    TORCH_ARG(RandRange, range_z) = {};
    TORCH_ARG(double, prob) = 0.1;
};

class RandRotated : public Transform {
public:
    explicit RandRotated(RandRotatedOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandRotated"; }
    bool isRandom() const override { return true; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandRotatedOptions options_;
};

} // namespace medulla
