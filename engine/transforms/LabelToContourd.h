#pragma once
/// LabelToContourd: MONAI's LabelToContour on each key (FilterOps.h): the
/// Laplacian edge of a 0/1 mask, clamped to [0, 1]; 2D or 3D.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct LabelToContourdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"label"};
    TORCH_ARG(std::string, kernel_type) = "Laplace";
};

class LabelToContourd : public Transform {
public:
    explicit LabelToContourd(LabelToContourdOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "LabelToContourd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    LabelToContourdOptions options_;
};

} // namespace medulla
