#pragma once
/// ConcatItemsd: concatenate the volumes of `keys` along tensor dim `dim`
/// (0 = channels) into a new item; it takes the first key's affine,
/// metadata and applied-transform record (MONAI keeps the first input's
/// meta). Absent keys are skipped with allow_missing_keys; with none
/// present the sample is unchanged. MONAI's `name` parameter is
/// "output_name" here ("name" is the class name in JSON).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct ConcatItemsdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(std::string, output_name) = ""; ///< key of the result (required)
    TORCH_ARG(int64_t, dim) = 0;              ///< may be negative
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class ConcatItemsd : public Transform {
public:
    /// Throws ConfigError for an empty output_name.
    explicit ConcatItemsd(ConcatItemsdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "ConcatItemsd"; }
    /// Throws ShapeError naming the keys when the shapes do not fit.
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    ConcatItemsdOptions options_;
};

} // namespace medulla
