#pragma once
/// KeepLargestConnectedComponentd: MONAI's KeepLargestConnectedComponent on
/// each key (PostOps.h); same dtype, affine unchanged.

#include <torch/arg.h>

#include <optional>

#include "engine/transforms/Transform.h"

namespace medulla {

struct KeepLargestConnectedComponentdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"pred"};
    /// Label values (channel indices when one-hot); none = all non-zero.
    TORCH_ARG(std::optional<std::vector<int64_t>>, applied_labels) = std::nullopt;
    TORCH_ARG(std::optional<bool>, is_onehot) = std::nullopt; ///< none = (C > 1)
    TORCH_ARG(bool, independent) = true;
    TORCH_ARG(std::optional<int64_t>, connectivity) = std::nullopt; ///< none = full
    TORCH_ARG(int64_t, num_components) = 1;
};

class KeepLargestConnectedComponentd : public Transform {
public:
    explicit KeepLargestConnectedComponentd(KeepLargestConnectedComponentdOptions options)
        : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "KeepLargestConnectedComponentd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    KeepLargestConnectedComponentdOptions options_;
};

} // namespace medulla
