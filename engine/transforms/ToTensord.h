#pragma once
/// ToTensord: every volume already is a tensor in C++; this converts the
/// data type and device where `dtype`/`device` are given (empty = keep).
/// wrap_sequence and track_meta are accepted for MONAI configs; metadata is
/// always tracked (Sample::meta).

#include <c10/core/Device.h>
#include <torch/arg.h>

#include <optional>

#include "engine/transforms/Transform.h"

namespace medulla {

struct ToTensordOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(std::string, dtype) = "";  ///< "" keeps the dtype
    TORCH_ARG(std::string, device) = ""; ///< "cpu", "cuda", "cuda:N"; "" keeps
    TORCH_ARG(bool, wrap_sequence) = true;
    TORCH_ARG(bool, track_meta) = true;
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class ToTensord : public Transform {
public:
    /// Throws ConfigError for unknown dtype or device names.
    explicit ToTensord(ToTensordOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "ToTensord"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    ToTensordOptions options_;
    std::optional<at::ScalarType> dtype_;
    std::optional<c10::Device> device_;
};

} // namespace medulla
