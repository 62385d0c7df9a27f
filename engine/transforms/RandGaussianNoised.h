#pragma once
/// RandGaussianNoised: with probability `prob`, add Gaussian noise N(mean,
/// std') to every key, std' = uniform(0, std) when `sample_std`, else std.
/// All keys get the same noise field (they must share the first key's shape).

#include <torch/arg.h>

#include <optional>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandGaussianNoisedOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(double, prob) = 0.1;
    TORCH_ARG(double, mean) = 0.0;
    TORCH_ARG(double, std) = 0.1;
    TORCH_ARG(std::string, dtype) = "float32"; ///< output dtype ("" keeps the input's)
    TORCH_ARG(bool, allow_missing_keys) = false;
    TORCH_ARG(bool, sample_std) = true;
};

class RandGaussianNoised : public Transform {
public:
    /// Throws ConfigError for prob outside [0, 1] or a negative std.
    explicit RandGaussianNoised(RandGaussianNoisedOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandGaussianNoised"; }
    bool isRandom() const override { return true; }
    /// Draws from `rng`: uniform() < prob; if applied, std (when sample_std)
    /// and one seed for the noise generator.
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandGaussianNoisedOptions options_;
    std::optional<at::ScalarType> dtype_;
};

} // namespace medulla
