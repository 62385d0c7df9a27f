#include "engine/data/Datalist.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <numeric>

#include "engine/core/Error.h"
#include "engine/data/NumpyRandom.h"

namespace fs = std::filesystem;

namespace medulla {

namespace {

/// One datalist entry into a Sample (see loadDecathlonDatalist).
Sample readEntry(const nlohmann::json& e, const fs::path& base, const std::string& file,
                 const std::string& field) {
    Sample s;
    auto resolve = [&](const std::string& v) { return (base / v).lexically_normal().string(); };
    if (e.is_string()) {
        s.paths["image"] = resolve(e.get<std::string>());
    } else if (e.is_object()) {
        for (auto it = e.begin(); it != e.end(); ++it) {
            const std::string& k = it.key();
            const bool fileKey = k == "image" || k == "label";
            if (it->is_string() && (fileKey || fs::exists(resolve(it->get<std::string>()))))
                s.paths[k] = resolve(it->get<std::string>());
            else if (k == "image")
                throw ConfigError("expected a file path, got " + it->dump(), file, field + "." + k);
            else // a class label (classification), a fold, ...
                s.fields[k] = it->dump();
        }
    } else {
        throw ConfigError("expected an object or a path", file, field);
    }
    for (const auto& kv : s.paths)
        if ((kv.first == "image" || kv.first == "label") && !fs::exists(kv.second))
            throw IoError("listed file does not exist: " + kv.second, file, field + "." + kv.first);
    return s;
}

} // namespace

std::vector<Sample> loadDecathlonDatalist(const std::string& datasetJson, const std::string& key,
                                          const std::string& baseDir) {
    const nlohmann::json j = readDatalistJson(datasetJson);
    if (!j.is_object() || !j.contains(key) || !j[key].is_array())
        throw ConfigError("no list named \"" + key + "\"", datasetJson, key);
    const fs::path base = baseDir.empty() ? fs::path(datasetJson).parent_path() : fs::path(baseDir);
    std::vector<Sample> out;
    for (size_t i = 0; i < j[key].size(); ++i)
        out.push_back(readEntry(j[key][i], base, datasetJson, key + "[" + std::to_string(i) + "]"));
    if (out.empty())
        throw ConfigError("the list is empty", datasetJson, key);
    return out;
}

DatalistSplit splitDatalist(const std::vector<Sample>& items, double fraction, uint64_t seed) {
    if (!(fraction >= 0.0 && fraction < 1.0))
        throw ConfigError("must be in [0, 1)", {}, "data.val_fraction");
    const SplitIndices idx = splitIndices(items.size(), fraction, seed);
    DatalistSplit s;
    for (size_t i : idx.train)
        s.train.push_back(items[i]);
    for (size_t i : idx.validation)
        s.validation.push_back(items[i]);
    return s;
}

SplitIndices splitIndices(size_t n, double fraction, uint64_t seed) {
    if (!(fraction >= 0.0 && fraction <= 1.0))
        throw ConfigError("must be in [0, 1], got " + std::to_string(fraction), {}, "val_frac");
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t(0));
    NumpyRandomState(seed).shuffle(order); // MONAI's RandomState(seed).shuffle: same cases
    const auto nVal = std::ptrdiff_t(double(n) * fraction);
    return {{order.begin() + nVal, order.end()}, {order.begin(), order.begin() + nVal}};
}

DatalistSplit splitByFold(const std::vector<Sample>& items, int k) {
    DatalistSplit s;
    for (size_t i = 0; i < items.size(); ++i) {
        auto it = items[i].fields.find("fold");
        int fold = 0;
        try {
            if (it == items[i].fields.end())
                throw std::invalid_argument("missing");
            const auto v = nlohmann::json::parse(it->second);
            if (!v.is_number_integer())
                throw std::invalid_argument("not an integer");
            fold = v.get<int>();
        } catch (const std::exception&) {
            throw ConfigError("the entry has no integer \"fold\"", {},
                              "datalist[" + std::to_string(i) + "].fold");
        }
        (fold == k ? s.validation : s.train).push_back(items[i]);
    }
    if (s.validation.empty())
        throw ConfigError("no entry has fold " + std::to_string(k), {}, "fold");
    return s;
}

nlohmann::json readDatalistJson(const std::string& path) {
    std::ifstream f(path);
    if (!f)
        throw IoError("cannot open the dataset list", path);
    try {
        return nlohmann::json::parse(f);
    } catch (const nlohmann::json::exception& e) {
        throw IoError(std::string("not valid JSON: ") + e.what(), path);
    }
}

DatalistSplit experimentSplit(const std::string& datasetJson, const std::string& datalistKey,
                              const std::string& validationKey, double validationFraction,
                              uint64_t seed) {
    auto items = loadDecathlonDatalist(datasetJson, datalistKey);
    if (validationKey.empty())
        return splitDatalist(items, validationFraction, seed);
    DatalistSplit split;
    split.train = std::move(items);
    split.validation = loadDecathlonDatalist(datasetJson, validationKey);
    return split;
}

} // namespace medulla
