#pragma once
/// EnsureTyped: every volume already is a tensor in C++. data_type
/// "tensor" converts the dtype (one, or one per key) and moves to `device`
/// where given; "numpy" converts the dtype and moves the data to the CPU
/// (where numpy arrays live). track_meta and wrap_sequence are accepted for
/// MONAI configs; metadata is always tracked (Sample::meta).

#include <c10/core/Device.h>
#include <torch/arg.h>

#include <optional>

#include "engine/transforms/Transform.h"

namespace medulla {

struct EnsureTypedOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(std::string, data_type) = "tensor";    ///< "tensor" or "numpy"
    TORCH_ARG(std::vector<std::string>, dtype) = {}; ///< empty keeps; one, or one per key
    TORCH_ARG(std::string, device) = "";             ///< "" keeps (tensor only)
    TORCH_ARG(bool, wrap_sequence) = true;
    TORCH_ARG(bool, track_meta) = true;
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class EnsureTyped : public Transform {
public:
    /// Throws ConfigError for an unknown data_type, dtype or device, or a
    /// dtype count that is neither 0, 1 nor len(keys).
    explicit EnsureTyped(EnsureTypedOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "EnsureTyped"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    EnsureTypedOptions options_;
    std::vector<std::optional<at::ScalarType>> dtypes_; ///< one per key
    std::optional<c10::Device> device_;
};

} // namespace medulla
