#pragma once
/// Base of all dictionary transforms. Shape contract: every volume is
/// channel-first (C, *spatial) before and after; a transform that moves
/// voxels updates the affine so that world positions stay right.

#include <memory>
#include <string>
#include <vector>

#include "engine/core/Params.h"
#include "engine/core/Random.h"
#include "engine/transforms/Sample.h"

namespace medulla {

class Transform {
public:
    virtual ~Transform() = default;
    /// MONAI's class name, e.g. "ScaleIntensityd".
    virtual std::string name() const = 0;
    /// Random transforms are applied per epoch, after the cache.
    virtual bool isRandom() const { return false; }
    /// Apply to one sample. Deterministic transforms ignore `rng`.
    /// Thread-safe: a transform holds no mutable state.
    virtual Sample apply(Sample sample, RandomGenerator& rng) const = 0;
    /// Transforms that emit several samples (num_samples) override this.
    virtual std::vector<Sample> applyMany(Sample sample, RandomGenerator& rng) const {
        std::vector<Sample> out;
        out.push_back(apply(std::move(sample), rng));
        return out;
    }
    /// The parameters, as read by the registry ({"name": ..., ...}).
    virtual Json toJson() const = 0;
};

using TransformPtr = std::shared_ptr<Transform>;

/// The registry of built-in transforms (filled on first use).
Registry<Transform>& transformRegistry();

} // namespace medulla
