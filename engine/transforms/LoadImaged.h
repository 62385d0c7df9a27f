#pragma once
/// LoadImaged: read the files named in Sample::paths[key] into volumes.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct LoadImagedOptions {
    /// Keys whose paths are loaded.
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// Skip keys that have no path instead of failing.
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class LoadImaged : public Transform {
public:
    explicit LoadImaged(LoadImagedOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "LoadImaged"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    LoadImagedOptions options_;
};

} // namespace medulla
