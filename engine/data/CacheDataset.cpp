#include "engine/data/CacheDataset.h"

#include <ATen/ATen.h>

#include "engine/core/Error.h"
#include "engine/data/CacheFill.h"

namespace medulla {

size_t CacheDataset::cacheCount(size_t n, int64_t cacheNum, double cacheRate) {
    if (cacheNum < 0)
        throw ConfigError("must be >= 0", {}, "cache_num");
    if (!(cacheRate >= 0.0 && cacheRate <= 1.0))
        throw ConfigError("must be in [0, 1]", {}, "cache_rate");
    return std::min({size_t(cacheNum), size_t(double(n) * cacheRate), n});
}

CacheDataset::CacheDataset(std::vector<Sample> items, Compose transforms,
                           const CacheDatasetOptions& options, ProgressSink& progress,
                           const CancelToken* cancel)
    : Dataset(std::move(items), std::move(transforms)), options_(options),
      prefix_(transforms_.deterministicPrefix()), suffix_(transforms_.randomSuffix()) {
    const size_t n = cacheCount(items_.size(), options.cache_num(), options.cache_rate());
    cache_.resize(n);
    forEachItem(
        n, int(options.num_workers()),
        [&](size_t i) { cache_[i] = prepareCacheItem(prefix_, items_[i]); }, progress, cancel,
        "caching");
    versions_.reserve(n);
    for (const auto& s : cache_)
        versions_.push_back(tensorVersions(s));
}

std::vector<Sample> CacheDataset::get(size_t i, uint64_t itemKey) const {
    if (i >= cache_.size())
        return Dataset::get(i, itemKey);
    Sample s = cache_[i]; // shares the tensors
    if (options_.copy_cache())
        for (auto& kv : s.volumes)
            kv.second.setData(kv.second.data().clone());
    const std::string file = describe(items_[i]);
    auto out = runNamed(suffix_, std::move(s), itemKey, file, transforms_.prefixLength());
    // a transform that wrote into the shared tensors would have corrupted the cache
    checkUnmodified(cache_[i], versions_[i], file);
    return out;
}

size_t CacheDataset::memoryBytes() const {
    std::vector<const Sample*> all;
    for (const auto& s : cache_)
        all.push_back(&s);
    return tensorBytes(all);
}

} // namespace medulla
