#pragma once
/// MONAI's CacheDataset: runs the deterministic prefix of the transform chain
/// (load, channel-first, intensity scaling, orientation, spacing, ...) once
/// per item, on several threads, and keeps the results in memory; the random
/// suffix (crops, augmentation) runs on every fetch, on the cached item,
/// which it never modifies.

#include <torch/arg.h>

#include <cstdint>
#include <limits>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"
#include "engine/data/Dataset.h"

namespace medulla {

struct CacheDatasetOptions {
    /// Items cached: min(cache_num, int(n * cache_rate), n), the first ones
    /// of the list; the others run the whole chain on every fetch.
    TORCH_ARG(int64_t, cache_num) = std::numeric_limits<int64_t>::max();
    TORCH_ARG(double, cache_rate) = 1.0;
    /// Threads filling the cache (<= 0: one per hardware thread).
    TORCH_ARG(int64_t, num_workers) = 1;
    /// Deep-copy a cached item before the random transforms run on it
    /// (MONAI's copy_cache). Not needed with Medulla's transforms, which
    /// never write into their input (each fetch checks this), so off.
    TORCH_ARG(bool, copy_cache) = false;
};

class CacheDataset : public Dataset {
public:
    /// Fills the cache now, reporting progress per item ("caching k/n").
    /// Throws CancelledError when cancelled, ConfigError for impossible
    /// options (field named), or the first item's error with its file named.
    CacheDataset(std::vector<Sample> items, Compose transforms, const CacheDatasetOptions& options,
                 ProgressSink& progress, const CancelToken* cancel = nullptr);

    /// Item i: the cached state plus the random suffix (or the whole chain
    /// for an item beyond cacheNum()). Same result as Dataset::get with the
    /// same chain and key. Thread-safe.
    std::vector<Sample> get(size_t i, uint64_t itemKey) const override;

    /// Number of cached items (the first ones).
    size_t cacheNum() const { return cache_.size(); }
    /// The cached (deterministic) state of item i < cacheNum().
    const Sample& cached(size_t i) const { return cache_.at(i); }
    /// Bytes of tensor data the cache holds (each buffer counted once).
    size_t memoryBytes() const;

    /// MONAI's cache size rule; ConfigError for cache_num < 0 or a rate
    /// outside [0, 1] (fields "cache_num", "cache_rate").
    static size_t cacheCount(size_t n, int64_t cacheNum, double cacheRate);

private:
    CacheDatasetOptions options_;
    Compose prefix_, suffix_;
    std::vector<Sample> cache_;
    std::vector<std::vector<int64_t>> versions_;
};

} // namespace medulla
