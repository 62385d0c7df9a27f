#pragma once
/// CacheDataset: runs the deterministic prefix of a transform chain once per
/// case (load, channel-first, intensity scaling, ...) and keeps the results
/// in memory; the random suffix (crops, augmentation) runs on every fetch.

#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"
#include "engine/transforms/Compose.h"

namespace medulla {

class CacheDataset {
public:
    /// Builds the cache now, reporting one progress step per case.
    /// Throws CancelledError when cancelled, or the first case's error with
    /// its file named.
    CacheDataset(std::vector<Sample> items, Compose transforms, ProgressSink& progress,
                 const CancelToken* cancel = nullptr);

    size_t size() const { return cache_.size(); }
    /// The cached (deterministic) state of case i.
    const Sample& cached(size_t i) const { return cache_.at(i); }
    /// Case i after the random suffix (one or more samples).
    std::vector<Sample> get(size_t i, RandomGenerator& rng) const;

private:
    Compose random_;
    std::vector<Sample> cache_;
};

} // namespace medulla
