#pragma once
/// EnsureChannelFirstd: guarantee (C, *spatial). Readers already put the
/// channel first; a tensor with spatial axes only gets a leading channel.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct EnsureChannelFirstdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// Number of spatial axes expected (2 or 3).
    TORCH_ARG(int64_t, spatial_dims) = 3;
};

class EnsureChannelFirstd : public Transform {
public:
    explicit EnsureChannelFirstd(EnsureChannelFirstdOptions options)
        : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "EnsureChannelFirstd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    EnsureChannelFirstdOptions options_;
};

} // namespace medulla
