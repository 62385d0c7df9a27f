#pragma once
/// MONAI's SmartCacheDataset (the "smart cache" of NVIDIA Clara Train):
/// only cache_num items are in memory; after every epoch update_cache()
/// swaps the replace_num oldest for the next ones in round-robin order,
/// which a background thread prepared during the epoch. With five items,
/// cache_num 4 and replace_rate 0.25 the epochs see [1,2,3,4], [2,3,4,5],
/// [3,4,5,1], [4,5,1,2], ...
///
/// Threads: get() may be called from any number of threads at any time,
/// also while updateCache() runs; start/updateCache/shutdown/restore from
/// one controlling thread.

#include <torch/arg.h>

#include <cstdint>
#include <exception>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"
#include "engine/data/Dataset.h"

namespace medulla {

struct SmartCacheDatasetOptions {
    /// Fraction of the cache replaced per epoch: replace_num =
    /// min(ceil(cache_num * replace_rate), n - cache_num).
    TORCH_ARG(double, replace_rate) = 0.1;
    /// Cached items: min(cache_num, int(n * cache_rate), n). With all items
    /// cached nothing is ever replaced.
    TORCH_ARG(int64_t, cache_num) = std::numeric_limits<int64_t>::max();
    TORCH_ARG(double, cache_rate) = 1.0;
    /// Threads preparing the first cache, and the replacements.
    TORCH_ARG(int64_t, num_init_workers) = 1;
    TORCH_ARG(int64_t, num_replace_workers) = 1;
    /// Shuffle the datalist once, before the first cache, with numpy's
    /// RandomState(seed) (MONAI's order for the same seed).
    TORCH_ARG(bool, shuffle) = true;
    TORCH_ARG(uint64_t, seed) = 0;
};

class SmartCacheDataset : public Dataset {
public:
    /// Prepares the first cache now (progress "caching k/n"); throws
    /// CancelledError, ConfigError naming the field, or the item's error.
    SmartCacheDataset(std::vector<Sample> items, Compose transforms,
                      const SmartCacheDatasetOptions& options, ProgressSink& progress,
                      const CancelToken* cancel = nullptr);
    ~SmartCacheDataset() override;

    /// The cache size: an epoch visits the cached items only.
    size_t size() const override { return cacheNum_; }
    /// Cache slot i plus the random suffix. Thread-safe.
    std::vector<Sample> get(size_t i, uint64_t itemKey) const override;

    /// Start the background thread that prepares the next replacements.
    void start();
    /// End of an epoch: wait for the replacements (preparing them now if
    /// the thread was not started), swap them in, and restart the thread
    /// for the next round. Rethrows an error of the background work.
    void updateCache();
    /// Stop the background thread (waits for the item in progress).
    void shutdown();
    bool isStarted() const { return started_; }

    /// Indices (into the shuffled datalist) of the cached items, slot order.
    std::vector<size_t> cachedIndices() const;
    /// Datalist order after the initial shuffle: datalist()[k] is item k.
    const std::vector<Sample>& datalist() const { return items_; }
    size_t replaceNum() const { return replaceNum_; }
    /// Bytes of tensor data in the cache (not counting replacements).
    size_t memoryBytes() const;

    /// The round-robin position (index of the first cached item): with the
    /// options and the datalist, all that a resumed run needs.
    size_t position() const { return start_; }
    /// Rebuild the cache at `position` (e.g. from a checkpoint); the thread
    /// is restarted if it was running.
    void restore(size_t position, ProgressSink& progress, const CancelToken* cancel = nullptr);

private:
    void prepareReplacements(); ///< background thread body
    void stopThread();

    SmartCacheDatasetOptions options_;
    Compose prefix_, suffix_;
    size_t cacheNum_ = 0, replaceNum_ = 0, start_ = 0;

    mutable std::shared_mutex cacheMutex_; ///< guards cache_ and versions_
    std::vector<Sample> cache_;
    std::vector<std::vector<int64_t>> versions_;

    std::thread thread_;
    bool started_ = false;
    CancelToken stop_;
    std::vector<Sample> replacements_; ///< written by the thread only while it runs
    std::exception_ptr threadError_;
    bool ready_ = false; ///< replacements_ holds the next round
};

} // namespace medulla
