#pragma once
/// Reading MONAI's optional (`None`) parameters through a ParamReader.
/// A ParamSpec default of null means "required", so optional parameters
/// declare a neutral default (0, "", [] as their help text says) and
/// additionally accept an explicit JSON null, as MONAI configs write them.

#include <optional>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/core/Params.h"
#include "engine/core/Random.h"

namespace medulla::postparams {

/// True when `key` is given as JSON null.
inline bool isNull(const ParamReader& r, const std::string& key) {
    return r.has(key) && r.raw(key).is_null();
}

/// An integer where null or `none` (the declared neutral default) is None.
inline std::optional<int64_t> optInt(const ParamReader& r, const std::string& key, int64_t none) {
    if (isNull(r, key))
        return std::nullopt;
    const int64_t v = r.integer(key);
    return v == none ? std::nullopt : std::optional<int64_t>(v);
}

/// A list where null or [] is None.
inline std::optional<std::vector<int64_t>> optIntList(const ParamReader& r,
                                                      const std::string& key) {
    if (isNull(r, key))
        return std::nullopt;
    std::vector<int64_t> v = r.intList(key);
    return v.empty() ? std::nullopt : std::optional(v);
}

/// A bool where null or "auto" is None ("true"/"false" strings accepted).
inline std::optional<bool> optBool(const ParamReader& r, const std::string& key) {
    if (!r.has(key) || r.raw(key).is_null())
        return std::nullopt;
    if (r.raw(key).is_boolean())
        return r.raw(key).get<bool>();
    const std::string s = r.string(key);
    return s == "auto" ? std::nullopt : std::optional<bool>(s == "true");
}

/// A (low, high) range of exactly two numbers with low <= high.
inline std::vector<double> range(const ParamReader& r, const std::string& key,
                                 double minValue = -1e30) {
    std::vector<double> v = r.numberList(key);
    if (v.size() != 2)
        throw ConfigError("needs two values (low, high), got " + std::to_string(v.size()), {},
                          r.field(key));
    if (!(v[0] <= v[1]))
        throw ConfigError("low must not exceed high", {}, r.field(key));
    if (!(v[0] >= minValue))
        throw ConfigError("values must be >= " + std::to_string(minValue), {}, r.field(key));
    return v;
}

/// numpy's RandomState.uniform(low, high): low + (high - low) u, u in [0, 1).
inline double draw(RandomGenerator& rng, double low, double high) {
    return low + (high - low) * rng.uniform();
}

template <class T> Json orNull(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

} // namespace medulla::postparams
