#pragma once
/// Datalists: the list of cases of an experiment, read from a MONAI /
/// Medical Segmentation Decathlon dataset.json, and seeded splits of it.

#include <string>
#include <vector>

#include "engine/transforms/Sample.h"

namespace medulla {

/// MONAI's load_decathlon_datalist: the list `key` ("training",
/// "validation", "test", or any other list) of a dataset.json.
/// - Entries are objects ({"image": ..., "label": ..., "fold": 0}) or, as
///   in Decathlon test lists, bare paths (taken as "image").
/// - Relative paths are resolved against `baseDir` (default: the file's
///   folder). "image" and a string "label" are files that must exist; any
///   other string value is a path when that file exists, otherwise it is
///   kept as a field (so are numbers, booleans and lists, e.g. the class
///   label of a classification list: Sample::fields).
/// Throws IoError/ConfigError naming the file and the entry
/// ("training[3].label").
std::vector<Sample> loadDecathlonDatalist(const std::string& datasetJson,
                                          const std::string& key = "training",
                                          const std::string& baseDir = "");

struct DatalistSplit {
    std::vector<Sample> train;
    std::vector<Sample> validation;
};

/// Training/validation split as MONAI's DecathlonDataset makes it: shuffle
/// with numpy's RandomState(seed), the first int(n * fraction) items are
/// validation, the rest training (both in shuffled order), so a seed gives
/// the same cases as MONAI. Throws ConfigError if fraction is outside [0, 1).
DatalistSplit splitDatalist(const std::vector<Sample>& items, double validationFraction,
                            uint64_t seed);

/// The positions behind splitDatalist (and DecathlonDataset): 0..n-1
/// shuffled with numpy's RandomState(seed); the first int(n * fraction)
/// are validation, the rest training. Throws ConfigError (field
/// "val_frac") if fraction is outside [0, 1].
struct SplitIndices {
    std::vector<size_t> train;
    std::vector<size_t> validation;
};
SplitIndices splitIndices(size_t n, double validationFraction, uint64_t seed);

/// The split a training run uses: the list `datalistKey` of `datasetJson`,
/// with `validationKey`'s list as validation when given, else a seeded
/// `validationFraction` of it (splitDatalist). Errors as the loaders'.
DatalistSplit experimentSplit(const std::string& datasetJson, const std::string& datalistKey,
                              const std::string& validationKey, double validationFraction,
                              uint64_t seed);

/// A datalist file's JSON; IoError naming the file when it cannot be read
/// or parsed.
nlohmann::json readDatalistJson(const std::string& path);

/// Split by the entries' "fold" field: fold `k` is validation, every other
/// fold training. Throws ConfigError if an entry has no integer fold or no
/// entry has fold k.
DatalistSplit splitByFold(const std::vector<Sample>& items, int k);

} // namespace medulla
