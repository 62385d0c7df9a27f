#pragma once
/// CastToTyped: convert each key's voxels to a dtype (one for all keys or
/// one per key), as tensor.to(dtype) does (floats to integers truncate).

#include <torch/arg.h>

#include <optional>

#include "engine/transforms/Transform.h"

namespace medulla {

struct CastToTypedOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    /// "float32", "np.uint8", "torch.int64", ...: one, or one per key.
    TORCH_ARG(std::vector<std::string>, dtype) = {"float32"};
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class CastToTyped : public Transform {
public:
    /// Throws ConfigError for unknown dtypes or a dtype count that is
    /// neither 1 nor len(keys).
    explicit CastToTyped(CastToTypedOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "CastToTyped"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    CastToTypedOptions options_;
    std::vector<std::optional<at::ScalarType>> dtypes_; ///< one per key
};

} // namespace medulla
