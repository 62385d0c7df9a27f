#pragma once
/// Batches from a CacheDataset: shuffles case order per epoch, applies the
/// random transforms and stacks each key into a (B, C, *spatial) tensor.

#include <map>
#include <string>

#include "engine/data/CacheDataset.h"

namespace medulla {

/// key -> (B, C, *spatial) tensor; B = cases per batch x samples per case.
using Batch = std::map<std::string, at::Tensor>;

class DataLoader {
public:
    /// batchSize cases per batch (the last batch may be smaller); the
    /// dataset must outlive the loader.
    DataLoader(const CacheDataset& dataset, int64_t batchSize, bool shuffle, uint64_t seed);

    int64_t batchesPerEpoch() const;
    /// Shuffle (if enabled) for a new epoch.
    void startEpoch();
    /// Batch b of the current epoch (0 <= b < batchesPerEpoch()).
    Batch batch(int64_t b);

    /// Stack samples into a batch; every key must have equal shapes.
    static Batch collate(const std::vector<Sample>& samples);

private:
    const CacheDataset& dataset_;
    int64_t batchSize_;
    bool shuffle_;
    RandomGenerator rng_;
    std::vector<size_t> order_;
};

} // namespace medulla
