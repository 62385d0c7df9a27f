#pragma once
/// The dataset kinds an experiment names in its "data.cache" object
/// ({"name": "CacheDataset", "cache_rate": 1.0, ...}), with MONAI's class
/// and parameter names, their schemas (for the GUI's editors) and a
/// factory.

#include <memory>
#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/Params.h"
#include "engine/core/Progress.h"
#include "engine/data/Dataset.h"

namespace medulla {

/// "Dataset", "CacheDataset", "SmartCacheDataset", "PersistentDataset",
/// each with its parameters (name, type, default, range, help).
const std::vector<ComponentInfo>& datasetKinds();

/// Check {"name": ..., params}: ConfigError naming "<context>.<field>".
void checkDatasetConfig(const Json& config, const std::string& context);

/// Build the dataset `config` names over `items` and `transforms`. Caches
/// fill now (progress, cancel). Errors as checkDatasetConfig, or the
/// dataset's own.
std::unique_ptr<Dataset> makeDataset(const Json& config, std::vector<Sample> items,
                                     Compose transforms, ProgressSink& progress,
                                     const CancelToken* cancel, const std::string& context);

} // namespace medulla
