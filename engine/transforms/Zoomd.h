#pragma once
/// Zoomd: scale the content by `zoom` keeping the field of view (MONAI's
/// Zoom on torch interpolate); keep_size pads/crops back to the input size.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct ZoomdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(std::vector<double>, zoom) = {1.0};
    TORCH_ARG(std::vector<std::string>, mode) = {"area"};
    TORCH_ARG(std::vector<std::string>, padding_mode) = {"edge"};
    TORCH_ARG(std::string, align_corners) = "none";
    TORCH_ARG(bool, keep_size) = true;
};

class Zoomd : public Transform {
public:
    explicit Zoomd(ZoomdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "Zoomd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

    /// Zoom every key by `factors` (shared with RandZoomd).
    static Sample zoomKeys(Sample sample, const ZoomdOptions& options,
                           const std::vector<double>& factors, const std::string& transform);

private:
    ZoomdOptions options_;
};

} // namespace medulla
