#pragma once
/// RandZoomd: with probability `prob`, zoom by factors drawn uniformly from
/// [min_zoom, max_zoom] (one value each: isotropic; one per axis:
/// anisotropic); MONAI's RandZoomd.

#include <torch/arg.h>

#include "engine/transforms/Zoomd.h"

namespace medulla {

struct RandZoomdOptions {
    TORCH_ARG(ZoomdOptions, zoom) = {}; ///< keys, mode, padding_mode, align_corners, keep_size
    TORCH_ARG(std::vector<double>, min_zoom) = {0.9};
    TORCH_ARG(std::vector<double>, max_zoom) = {1.1};
    TORCH_ARG(double, prob) = 0.1;
};

class RandZoomd : public Transform {
public:
    explicit RandZoomd(RandZoomdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandZoomd"; }
    bool isRandom() const override { return true; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandZoomdOptions options_;
};

} // namespace medulla
