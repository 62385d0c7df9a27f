#pragma once
/// CUDA twin of connected-component labelling (kernels/cpu/ConnectedComponents.h):
/// iterative minimum-label propagation with pointer jumping. Raw device
/// pointers, no LibTorch headers; called by ConnectedComponents.cpp for CUDA
/// masks of 1 to 3 dims, which compacts the result to 1..N.

#include <stdint.h>

namespace medulla::kernels::cuda {

/// mask: uint8 (non-zero = foreground), shape nx * ny * nz (row-major).
/// offsets: `count` neighbour offsets of 3 ints each (dx, dy, dz), at most 26.
/// Writes labels[i] = 1 + the smallest flat index of i's component (0 off
/// the mask). Returns a cudaError_t value (0 = success).
int labelComponents(const uint8_t* mask, int32_t* labels, int64_t nx, int64_t ny, int64_t nz,
                    const int* offsets, int count);

} // namespace medulla::kernels::cuda
