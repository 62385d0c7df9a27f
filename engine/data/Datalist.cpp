#include "engine/data/Datalist.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/Random.h"

namespace fs = std::filesystem;

namespace medulla {

std::vector<Sample> loadDecathlonDatalist(const std::string& datasetJson, const std::string& key) {
    std::ifstream f(datasetJson);
    if (!f)
        throw IoError("cannot open the dataset list", datasetJson);
    nlohmann::json j;
    try {
        f >> j;
    } catch (const nlohmann::json::exception& e) {
        throw IoError(std::string("not valid JSON: ") + e.what(), datasetJson);
    }
    if (!j.is_object() || !j.contains(key) || !j[key].is_array())
        throw ConfigError("no list named \"" + key + "\"", datasetJson, key);
    const fs::path base = fs::path(datasetJson).parent_path();
    std::vector<Sample> out;
    for (size_t i = 0; i < j[key].size(); ++i) {
        const auto& e = j[key][i];
        const std::string field = key + "[" + std::to_string(i) + "]";
        Sample s;
        if (e.is_string()) { // test lists may hold bare paths
            s.paths["image"] = (base / e.get<std::string>()).lexically_normal().string();
        } else if (e.is_object()) {
            for (auto it = e.begin(); it != e.end(); ++it) {
                if (!it.value().is_string())
                    continue;
                s.paths[it.key()] =
                    (base / it.value().get<std::string>()).lexically_normal().string();
            }
        } else {
            throw ConfigError("expected an object or a path", datasetJson, field);
        }
        for (const auto& kv : s.paths)
            if (!fs::exists(kv.second))
                throw IoError("listed file does not exist: " + kv.second, datasetJson,
                              field + "." + kv.first);
        out.push_back(std::move(s));
    }
    if (out.empty())
        throw ConfigError("the list is empty", datasetJson, key);
    return out;
}

DatalistSplit splitDatalist(std::vector<Sample> items, double fraction, uint64_t seed) {
    if (!(fraction >= 0.0 && fraction < 1.0))
        throw ConfigError("must be in [0, 1)", {}, "data.val_fraction");
    RandomGenerator rng(seed);
    std::shuffle(items.begin(), items.end(), rng.engine());
    size_t nVal = size_t(std::lround(fraction * double(items.size())));
    if (fraction > 0 && nVal == 0 && items.size() >= 2)
        nVal = 1;
    if (nVal >= items.size())
        nVal = items.size() - 1;
    DatalistSplit split;
    split.validation.assign(items.begin(), items.begin() + nVal);
    split.train.assign(items.begin() + nVal, items.end());
    return split;
}

} // namespace medulla
