#pragma once
/// FillHolesd: MONAI's FillHoles on each key (PostOps.h); same dtype,
/// affine unchanged.

#include <torch/arg.h>

#include <optional>

#include "engine/transforms/Transform.h"

namespace medulla {

struct FillHolesdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"pred"};
    /// Labels (channels when one-hot) whose holes are filled; none = all.
    TORCH_ARG(std::optional<std::vector<int64_t>>, applied_labels) = std::nullopt;
    TORCH_ARG(std::optional<int64_t>, connectivity) = std::nullopt; ///< none = full
};

class FillHolesd : public Transform {
public:
    explicit FillHolesd(FillHolesdOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "FillHolesd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    FillHolesdOptions options_;
};

} // namespace medulla
