#pragma once
/// The random affine parameters shared by RandAffined and the elastic
/// transforms (MONAI's RandAffineGrid): rotate/shear/translate/scale ranges,
/// drawn in that order; scales are 1 + the draw.

#include "engine/transforms/RandRange.h"
#include "engine/transforms/ResampleOps.h"

namespace medulla {

struct RandAffineRanges {
    RandRange rotate, shear, translate, scale;

    /// The four parameter specs ("rotate_range", ...), for info().
    static std::vector<ParamSpec> specs();
    /// Read the four ranges; ConfigError names `context`.<param>.
    static RandAffineRanges read(const ParamReader& r);
    /// Add the four ranges to a toJson() object.
    void write(Json& out) const;
    /// Draw the parameters (same order as MONAI).
    AffineParams draw(RandomGenerator& rng, const std::vector<int64_t>& spatialSize) const;
};

} // namespace medulla
