#pragma once
/// AsDiscreted: MONAI's AsDiscrete on each key (PostOps.h): argmax over
/// channels (kept as one channel), one-hot, threshold, rounding; float32.

#include <torch/arg.h>

#include <optional>

#include "engine/transforms/Transform.h"

namespace medulla {

struct AsDiscretedOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"pred"};
    TORCH_ARG(bool, argmax) = false;
    TORCH_ARG(std::optional<int64_t>, to_onehot) = std::nullopt; ///< number of classes
    TORCH_ARG(std::optional<double>, threshold) = std::nullopt;
    TORCH_ARG(std::string, rounding) = ""; ///< "" = none, or "torchrounding"
};

class AsDiscreted : public Transform {
public:
    explicit AsDiscreted(AsDiscretedOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "AsDiscreted"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    AsDiscretedOptions options_;
};

} // namespace medulla
