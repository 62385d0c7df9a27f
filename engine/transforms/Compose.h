#pragma once
/// An ordered chain of transforms, readable from and writable to a JSON list.

#include <cstdint>
#include <vector>

#include "engine/transforms/Transform.h"

namespace medulla {

class Compose {
public:
    Compose() = default;
    explicit Compose(std::vector<TransformPtr> transforms) : transforms_(std::move(transforms)) {}

    /// From a JSON list of {"name": ..., params}; errors name "<context>[i]".
    static Compose fromJson(const Json& list, const std::string& context);
    Json toJson() const;

    /// Run every transform; multi-sample transforms multiply the samples.
    std::vector<Sample> operator()(Sample sample, RandomGenerator& rng) const;

    /// MONAI's set_random_state: the seed of the per-item streams of run().
    void setRandomState(uint64_t seed) { seed_ = seed; }
    uint64_t randomState() const { return seed_; }
    /// Run on one item. Every random transform draws from its own generator,
    /// seeded from (random state, itemKey, its position, the sample number),
    /// so the output depends only on the seed and the key (e.g. epoch and
    /// item index), not on the thread, worker count or other items.
    /// `firstPosition` is the position of this chain's first transform in
    /// a longer chain it was split from (the random suffix after a cached
    /// prefix), so that the split chain draws exactly what the whole would.
    std::vector<Sample> run(Sample sample, uint64_t itemKey, size_t firstPosition = 0) const;

    /// Everything before the first random transform (what a cache may store).
    Compose deterministicPrefix() const;
    /// The first random transform and everything after it.
    Compose randomSuffix() const;
    /// Number of transforms in deterministicPrefix().
    size_t prefixLength() const { return firstRandom(); }

    const std::vector<TransformPtr>& transforms() const { return transforms_; }
    bool empty() const { return transforms_.empty(); }

private:
    size_t firstRandom() const;
    std::vector<TransformPtr> transforms_;
    uint64_t seed_ = 0;
};

} // namespace medulla
