#pragma once
/// Small helpers shared by dictionary transforms: MONAI-style argument
/// forms (a number or a (min, max) pair, one value or one per key), dtype
/// and device names, key iteration with allow_missing_keys, and errors that
/// name the transform.

#include <ATen/Tensor.h>
#include <c10/core/Device.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/Params.h"
#include "engine/transforms/Sample.h"

namespace medulla {

/// MONAI's range argument: one value v means (min(-v, v), max(-v, v)); two
/// values are sorted. Other lengths throw ConfigError naming `field`.
std::pair<double, double> symmetricRange(const std::vector<double>& values,
                                         const std::string& field);

/// MONAI's ensure_tuple_rep: one value is repeated `n` times; `n` values are
/// kept; an empty list gives `n` copies of `fallback`. Other lengths throw
/// ConfigError naming `field`.
std::vector<std::string> repeatPerKey(const std::vector<std::string>& values, size_t n,
                                      const std::string& fallback, const std::string& field);

/// A dtype name as MONAI configs write it ("float32", "np.float32",
/// "torch.float32", "float", "double", "uint8", ...). "" and "none" give
/// nullopt (keep the input's type). Throws ConfigError naming `field`.
std::optional<at::ScalarType> parseDtypeName(const std::string& name, const std::string& field);

/// The numpy/torch name of a dtype: "float32", "uint8", "int64", ...
std::string dtypeToName(at::ScalarType type);

/// A device name ("cpu", "cuda", "cuda:1"); "" gives nullopt (keep).
/// Throws ConfigError naming `field` for malformed names.
std::optional<c10::Device> parseDeviceName(const std::string& name, const std::string& field);

/// The keys of `keys` present in the sample's volumes. A missing key throws
/// ShapeError naming `transform` and the key unless `allowMissing`.
std::vector<std::string> presentKeys(const Sample& sample, const std::vector<std::string>& keys,
                                     bool allowMissing, const std::string& transform);

/// Run `build` (which reads parameters); a ConfigError whose field does not
/// already name `transform` is rethrown with "<transform>: " before its
/// message, so every parameter error names the transform and the parameter.
template <class F> auto withTransformName(const std::string& transform, F&& build) {
    try {
        return build();
    } catch (const ConfigError& e) {
        if (e.field().find(transform) != std::string::npos)
            throw;
        throw ConfigError(transform + ": " + e.message(), e.file(), e.field());
    }
}

} // namespace medulla

namespace medulla {

/// `x` converted to `dtype` and moved to `device` where given. A device that
/// this LibTorch cannot reach throws Error naming `field`.
at::Tensor convertTensor(const at::Tensor& x, std::optional<at::ScalarType> dtype,
                         std::optional<c10::Device> device, const std::string& field);

} // namespace medulla
