#pragma once
/// MONAI's PersistentDataset: the deterministic prefix of every item cached
/// on disk, so later epochs and later runs skip loading and resampling.
/// An entry's file name is a SHA-256 of the item's record (its paths with
/// their sizes and modification times, and its fields) and of the prefix's
/// configuration: change a transform parameter or a source file and the
/// old entries are simply not used again. Entries are written atomically;
/// a corrupt or foreign entry is recomputed, never trusted.

#include <torch/arg.h>

#include <atomic>
#include <string>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"
#include "engine/data/Dataset.h"

namespace medulla {

struct PersistentDatasetOptions {
    /// Folder of the cache files (created if missing). Required.
    TORCH_ARG(std::string, cache_dir) = "";
};

class PersistentDataset : public Dataset {
public:
    /// Throws ConfigError (field "cache_dir") if the folder is not given or
    /// cannot be created.
    PersistentDataset(std::vector<Sample> items, Compose transforms,
                      const PersistentDatasetOptions& options);

    /// Item i: its cache entry (computed and written first if missing or
    /// unreadable) plus the random suffix. Thread-safe.
    std::vector<Sample> get(size_t i, uint64_t itemKey) const override;

    /// Compute every missing entry now, on `workers` threads, with progress
    /// ("caching k/n") and cancel.
    void precompute(int workers, ProgressSink& progress, const CancelToken* cancel = nullptr);

    /// The cache file of item i.
    std::string cacheFile(size_t i) const;
    /// Hex SHA-256 of the prefix configuration (part of every entry's key).
    const std::string& transformHash() const { return transformHash_; }
    /// Entries recomputed because their file was corrupt (for a warning).
    size_t recomputedCount() const { return recomputed_.load(); }

private:
    Sample cachedState(size_t i) const;

    std::string cacheDir_;
    Compose prefix_, suffix_;
    std::string transformHash_;
    mutable std::atomic<size_t> recomputed_{0};
};

} // namespace medulla
