#pragma once
/// Parameter declarations shared by the networks' schemas: layer choices
/// (act / norm / dropout in MONAI's forms) and the usual sizes.

#include "engine/core/Params.h"
#include "engine/networks/LayerSpec.h"

namespace medulla {

/// A layer parameter (ParamType::Object): "name", [name, {args}] or null.
ParamSpec layerParam(const std::string& name, Json defaultValue, const std::string& help);

/// The layer spec of `key` (its default if absent); ConfigError names the field.
LayerSpec readLayer(const ParamReader& r, const std::string& key);

/// A dropout parameter (number, [name, {args}] or null); default null is
/// written as the JSON null below, so "no dropout" is the default.
ParamSpec dropoutParam(Json defaultValue = nullptr);

/// spatial_dims (1..3, default `def`), in_channels, out_channels.
ParamSpec spatialDimsParam(int64_t def = 3);
ParamSpec channelsParam(const std::string& name, int64_t def, const std::string& help);

/// MONAI's `pretrained` and `progress` parameters of the fixed-width
/// classifiers, appended to `params`.
void addPretrainedParams(std::vector<ParamSpec>& params);

/// ConfigError naming the field when `pretrained` is true (no download here:
/// load a state dict with `medulla weights import` instead).
void rejectPretrained(const ParamReader& r, const std::string& network);

/// ConfigError naming `network.channels` / `network.strides` unless both are
/// non-empty, positive and of the same length (Regressor, Generator).
void checkChannelsAndStrides(const std::vector<int64_t>& channels,
                             const std::vector<int64_t>& strides);

/// One value or a list, as the user wrote it: [3] -> 3, [3, 3, 1] -> [3, 3, 1].
Json oneOrList(const std::vector<int64_t>& v);

/// ConfigError naming `field` unless v >= 1 ("must be >= 1, got 0").
void checkPositive(int64_t v, const std::string& field);

/// ConfigError naming `field` unless every value is >= 1.
void checkAllPositive(const std::vector<int64_t>& v, const std::string& field);

/// ConfigError naming `field` unless every kernel size is odd (MONAI's same
/// padding).
void checkOddKernel(const std::vector<int64_t>& kernel, const std::string& field);

/// Product of the values (1 for none).
int64_t product(const std::vector<int64_t>& v);

} // namespace medulla
