#pragma once
/// SelectItemsd: keep only the items of `keys` (each with its volume, path,
/// metadata and applied-transform record); "<k>_meta_dict" keeps k's
/// metadata. A key that is absent throws unless allow_missing_keys.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct SelectItemsdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {};
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class SelectItemsd : public Transform {
public:
    explicit SelectItemsd(SelectItemsdOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "SelectItemsd"; }
    /// Throws ShapeError naming an absent key (unless allow_missing_keys).
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    SelectItemsdOptions options_;
};

} // namespace medulla
