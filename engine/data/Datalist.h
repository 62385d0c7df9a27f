#pragma once
/// Datalists: the list of cases of an experiment, read from a Medical
/// Segmentation Decathlon dataset.json, and a seeded train/validation split.

#include <string>
#include <vector>

#include "engine/transforms/Sample.h"

namespace medulla {

/// Read `key` ("training", "validation", "test") of a Decathlon dataset.json.
/// Relative paths are resolved against the file's folder. Every referenced
/// file must exist. Throws IoError/ConfigError naming the file and entry.
std::vector<Sample> loadDecathlonDatalist(const std::string& datasetJson,
                                          const std::string& key = "training");

struct DatalistSplit {
    std::vector<Sample> train;
    std::vector<Sample> validation;
};

/// Shuffle with `seed`, then put round(fraction * n) cases (at least 1 when
/// n >= 2 and fraction > 0) into validation.
DatalistSplit splitDatalist(std::vector<Sample> items, double validationFraction, uint64_t seed);

} // namespace medulla
