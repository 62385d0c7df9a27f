#include "engine/data/PersistentDataset.h"

#include <nlohmann/json.hpp>

#include <filesystem>

#include "engine/core/Error.h"
#include "engine/data/CacheFill.h"
#include "engine/data/Checksum.h"
#include "engine/data/SampleFile.h"

namespace fs = std::filesystem;

namespace medulla {

namespace {

/// Bumped when the meaning of a cached entry changes (file layout, what
/// prepareCacheItem does), so that old entries stop matching.
constexpr const char* kEntryVersion = "medulla-persistent-1";

/// The record part of an entry's key: paths with size and mtime (a changed
/// source file is a different record), and fields.
std::string recordKey(const Sample& item) {
    nlohmann::json j = {{"fields", item.fields}, {"paths", nlohmann::json::object()}};
    for (const auto& kv : item.paths) {
        std::error_code ec;
        const auto size = fs::file_size(kv.second, ec);
        const auto time = fs::last_write_time(kv.second, ec);
        j["paths"][kv.first] = {kv.second, ec ? -1 : int64_t(size),
                                ec ? 0 : int64_t(time.time_since_epoch().count())};
    }
    return j.dump();
}

} // namespace

PersistentDataset::PersistentDataset(std::vector<Sample> items, Compose transforms,
                                     const PersistentDatasetOptions& options)
    : Dataset(std::move(items), std::move(transforms)), cacheDir_(options.cache_dir()),
      prefix_(transforms_.deterministicPrefix()), suffix_(transforms_.randomSuffix()) {
    if (cacheDir_.empty())
        throw ConfigError("a cache folder is required", {}, "cache_dir");
    std::error_code ec;
    fs::create_directories(cacheDir_, ec);
    if (ec || !fs::is_directory(cacheDir_))
        throw ConfigError("cannot create the cache folder " + cacheDir_ + ": " + ec.message(), {},
                          "cache_dir");
    transformHash_ = sha256Hex(std::string(kEntryVersion) + "\n" + prefix_.toJson().dump());
}

std::string PersistentDataset::cacheFile(size_t i) const {
    const std::string key = sha256Hex(transformHash_ + "\n" + recordKey(items_.at(i)));
    return (fs::path(cacheDir_) / (key + ".mdsample")).string();
}

Sample PersistentDataset::cachedState(size_t i) const {
    const std::string file = cacheFile(i);
    if (fs::exists(file)) {
        try {
            std::string tag;
            Sample s = readSampleFile(file, &tag);
            if (tag == transformHash_)
                return s;
        } catch (const IoError&) {
            // corrupt or truncated (a crash of an older version, a full disk): recompute
        }
        ++recomputed_;
    }
    Sample s = prepareCacheItem(prefix_, items_[i]);
    writeSampleFile(s, file, transformHash_);
    return s;
}

std::vector<Sample> PersistentDataset::get(size_t i, uint64_t itemKey) const {
    if (i >= items_.size())
        return Dataset::get(i, itemKey); // names the range error
    return runNamed(suffix_, cachedState(i), itemKey, describe(items_[i]),
                    transforms_.prefixLength());
}

void PersistentDataset::precompute(int workers, ProgressSink& progress, const CancelToken* cancel) {
    forEachItem(
        items_.size(), workers,
        [&](size_t i) {
            if (!fs::exists(cacheFile(i)))
                cachedState(i);
        },
        progress, cancel, "caching");
}

} // namespace medulla
