#pragma once
/// The catalog of configurable components, for editors that are generated
/// from the registries (the studio's palettes and forms, docs). Qt-free and
/// LibTorch-free: the ui layer includes it.

#include <string>
#include <vector>

#include "engine/core/Params.h"

namespace medulla {

/// Families of components an experiment configures: "transform", "network",
/// "loss", "metric", "optimizer", "scheduler", "inferer", "dataset",
/// "trainer" (one entry: the trainer section's parameters), "handler" (one
/// entry per handlers section, named as the section).
const std::vector<std::string>& catalogFamilies();

/// Every component of `family`, sorted by name. Throws ConfigError naming
/// "family" for an unknown family.
std::vector<ComponentInfo> catalog(const std::string& family);

/// One component's schema; throws ConfigError (naming "<family>.name") when
/// unknown.
ComponentInfo catalogEntry(const std::string& family, const std::string& name);

/// The palette group of a transform: "I/O", "Intensity", "Spatial",
/// "Crop & Pad", "Post-processing" or "Utility".
std::string transformGroup(const std::string& name);
/// The groups in display order.
const std::vector<std::string>& transformGroups();

/// True for transforms that draw random numbers (Rand*, RandomOrder, ...).
bool isRandomTransform(const std::string& name);

} // namespace medulla
