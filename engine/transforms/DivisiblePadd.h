#pragma once
/// DivisiblePadd: pad each spatial axis up to a multiple of k (MONAI's
/// DivisiblePad, CropPadOps.h).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct DivisiblePaddOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    TORCH_ARG(std::vector<int64_t>, k) = {1};
    TORCH_ARG(std::string, method) = "symmetric";
    TORCH_ARG(std::string, mode) = "constant";
    TORCH_ARG(double, value) = 0.0;
};

class DivisiblePadd : public Transform {
public:
    explicit DivisiblePadd(DivisiblePaddOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "DivisiblePadd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    DivisiblePaddOptions options_;
};

} // namespace medulla
