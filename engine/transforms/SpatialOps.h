#pragma once
/// Voxel-moving helpers shared by transforms; each keeps the affine right.

#include <vector>

#include "engine/core/Volume.h"

namespace medulla {

/// Crop the spatial box [start, start + size) (voxels, array order). The box
/// must lie inside the volume. The affine's origin moves to the new voxel 0.
/// With copy = false the result is a view sharing v's memory (random
/// patches: the batch collation copies them anyway).
Volume cropVolume(const Volume& v, const std::vector<int64_t>& start,
                  const std::vector<int64_t>& size, bool copy = true);

/// Flat C-order spatial index -> per-axis index.
std::vector<int64_t> unravelIndex(int64_t flat, const std::vector<int64_t>& shape);

} // namespace medulla
