#pragma once
/// Per-key parameters of dictionary transforms: MONAI accepts one value for
/// every key or one value per key (e.g. Spacingd mode=("bilinear", "nearest")).

#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/core/Params.h"
#include "engine/transforms/ResampleOps.h"

namespace medulla {

/// Throws ConfigError naming `field` unless `values` has 1 or `keys` entries.
template <class T>
void checkPerKey(const std::vector<T>& values, size_t keys, const std::string& field) {
    if (values.size() != 1 && values.size() != keys)
        throw ConfigError("expected 1 value or one per key (" + std::to_string(keys) + "), got " +
                              std::to_string(values.size()),
                          {}, field);
}

/// The value for key number i.
template <class T> T perKey(const std::vector<T>& values, size_t i) {
    return values.size() == 1 ? values[0] : values.at(i);
}

/// The grid mode of key i from per-key mode and padding lists (validated
/// with parseInterp/parsePadding, errors naming `context`).
inline GridMode gridModeFor(const std::vector<std::string>& modes,
                            const std::vector<std::string>& paddings, bool alignCorners, size_t i,
                            const std::string& context) {
    return {parseInterp(perKey(modes, i), context + ".mode"),
            parsePadding(perKey(paddings, i), context + ".padding_mode"), alignCorners};
}

/// Append the "mode" and "padding_mode" parameter specs of the resampling
/// transforms (bilinear; `padding` by default) to a schema.
inline void appendGridModeSpecs(std::vector<ParamSpec>& params, const char* padding) {
    params.push_back({"mode", ParamType::StringList, Json{"bilinear"}, 0, 0, interpChoices(),
                      "interpolation, one for all keys or one per key"});
    params.push_back({"padding_mode", ParamType::StringList, Json{padding}, 0, 0, paddingChoices(),
                      "outside values, one for all keys or one per key"});
}

/// Validate per-key mode/padding lists at construction.
inline void checkGridModes(const std::vector<std::string>& modes,
                           const std::vector<std::string>& paddings, size_t keys,
                           const std::string& context) {
    checkPerKey(modes, keys, context + ".mode");
    checkPerKey(paddings, keys, context + ".padding_mode");
    for (size_t i = 0; i < keys; ++i)
        (void)gridModeFor(modes, paddings, false, i, context);
}

} // namespace medulla
