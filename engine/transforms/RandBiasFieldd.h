#pragma once
/// RandBiasFieldd: with probability `prob`, multiply every key by exp(f),
/// f a smooth random polynomial field (Legendre basis, `degree`,
/// coefficients from uniform(coeff_range)); the same field for all keys and
/// channels of a sample (RandIntensityOps.h biasField).

#include <torch/arg.h>

#include <optional>

#include "engine/transforms/Transform.h"

namespace medulla {

struct RandBiasFielddOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(int64_t, degree) = 3; ///< >= 1
    TORCH_ARG(std::vector<double>, coeff_range) = std::vector<double>{0.0, 0.1};
    TORCH_ARG(std::string, dtype) = "float32"; ///< output dtype ("" keeps the input's)
    TORCH_ARG(double, prob) = 0.1;
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class RandBiasFieldd : public Transform {
public:
    /// Throws ConfigError for prob outside [0, 1], degree < 1 or a
    /// coeff_range that is not two values.
    explicit RandBiasFieldd(RandBiasFielddOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandBiasFieldd"; }
    bool isRandom() const override { return true; }
    /// Draws uniform() < prob, then C(degree + rank, rank) coefficients
    /// (rank = spatial axes of the first present key).
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    RandBiasFielddOptions options_;
    std::optional<at::ScalarType> dtype_;
};

} // namespace medulla
