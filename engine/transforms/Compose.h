#pragma once
/// An ordered chain of transforms, readable from and writable to a JSON list.

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

    /// Everything before the first random transform (what a cache may store).
    Compose deterministicPrefix() const;
    /// The first random transform and everything after it.
    Compose randomSuffix() const;

    const std::vector<TransformPtr>& transforms() const { return transforms_; }
    bool empty() const { return transforms_.empty(); }

private:
    size_t firstRandom() const;
    std::vector<TransformPtr> transforms_;
};

} // namespace medulla
