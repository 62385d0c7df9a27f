#pragma once
/// The "inferer" components of an experiment: {"name": "SimpleInferer"} or
/// {"name": "SlidingWindowInferer", "roi_size": [96, 96, 96],
/// "sw_batch_size": 4, "overlap": 0.25, "mode": "gaussian"} with MONAI's
/// parameter names (SlidingWindowInferer::info() lists them).

#include <string>
#include <vector>

#include "engine/core/Params.h"
#include "engine/inference/Inferer.h"

namespace medulla {

/// Registry of the built-in inferers (filled on first use).
Registry<Inferer>& infererRegistry();

/// The schemas of every registered inferer (category "inferer").
std::vector<ComponentInfo> infererInfos();

/// Build an inferer from its JSON. Unknown names, unknown parameters and
/// invalid values throw ConfigError naming the dotted field under
/// `context` ("inferer.roi_size[1]"). toJson() of the result reads back
/// to an equal inferer.
InfererPtr makeInferer(const Json& config, const std::string& context = "inferer");

} // namespace medulla
