#pragma once
/// Dense-grid deformations for the elastic transforms (MONAI's Rand2DElastic
/// and Rand3DElastic): grids of centred voxel coordinates (coordinate
/// i - (n - 1) / 2 on each axis, MONAI's create_grid), deformed, mapped by
/// an affine and sampled with the resampling kernel.

#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/transforms/MatrixN.h"
#include "engine/transforms/ResampleOps.h"

namespace medulla {

/// (d, *shape) float64 grid of centred coordinates.
at::Tensor centredGrid(const std::vector<int64_t>& shape);

/// m (d+1 x d+1) applied to every point of a (d, *shape) grid.
at::Tensor transformGrid(const at::Tensor& grid, const MatrixN& m);

/// Sample v at the centred coordinates of `grid` (d, *out); the output
/// gets `outAffine`.
Volume sampleCentredGrid(const Volume& v, const at::Tensor& grid, const GridMode& mode,
                         const Affine& outAffine);

/// Rand3DElastic's grid: uniform(-1, 1) offsets drawn with `seed`, smoothed
/// by a Gaussian of `sigma` voxels (truncated at 3 sigma), times
/// `magnitude`, added to the centred grid of `shape`, then mapped by `m`.
at::Tensor elasticGrid3d(const std::vector<int64_t>& shape, double sigma, double magnitude,
                         const MatrixN& m, uint64_t seed);

/// Rand2DElastic's grid: control points `spacing` voxels apart with
/// N(0, 1) * magnitude offsets drawn with `seed`, mapped by `m`, then
/// upsampled with bicubic interpolation and centre-cropped to `shape`.
at::Tensor elasticGrid2d(const std::vector<int64_t>& shape, const std::vector<double>& spacing,
                         double magnitude, const MatrixN& m, uint64_t seed);

} // namespace medulla
