#pragma once
/// Exact chessboard and taxicab distance transforms
/// (scipy.ndimage.distance_transform_cdt semantics): the classic two-pass
/// chamfer propagation with unit weights over the full 3^n (chessboard) or
/// the face (taxicab) neighbourhood, which is exact for these two metrics on
/// a box-shaped grid.

#include <ATen/Tensor.h>

namespace medulla::kernels {

/// mask: 1 to 3 dims, any dtype, CPU; non-zero voxels are foreground.
/// Returns int32 of mask's shape: for each voxel the chessboard (or, with
/// chessboard = false, taxicab) distance in voxels to the nearest zero voxel
/// (0 on zero voxels), -1 everywhere when there is no zero voxel, as scipy
/// returns. Single-threaded (two raster sweeps). Throws
/// std::invalid_argument on another rank or a non-CPU tensor.
at::Tensor distanceTransformCdt(const at::Tensor& mask, bool chessboard);

} // namespace medulla::kernels
