#pragma once
/// Bit-packed binary volumes and the surface (edge) voxels of a mask as MONAI
/// 1.3.2's get_mask_edges defines them for the distance metrics: foreground
/// = value == 1 (bool: true), edge = foreground XOR binary_erosion(
/// foreground) with face connectivity, computed after cropping both masks to
/// their union's bounding box plus a 1-voxel zero margin. Because that margin
/// is always there (the crop pads with zeros past the image), the result is
/// the same as eroding on an infinite zero-extended grid: a foreground voxel
/// is an edge when one of its 2*ndim face neighbours is background or
/// outside the image. The crop therefore only bounds the work, and the
/// kernels here do without it.

#include <ATen/Tensor.h>

#include <array>
#include <cstdint>
#include <vector>

namespace medulla::kernels {

/// A binary volume of 1 to 3 spatial dims stored as (X, Y, Z) with the real
/// axes last (2D: X = 1; 1D: X = Y = 1), one row of `words` 64-bit words per
/// (x, y), bit z % 64 of word z / 64 = voxel (x, y, z). Bits past Z are 0.
struct BitVolume {
    int64_t X = 1, Y = 1, Z = 0;
    int64_t words = 0;   ///< words per row: ceil(Z / 64)
    int spatialDims = 3; ///< real spatial dims (1..3)
    std::vector<uint64_t> bits;

    int64_t rows() const { return X * Y; }
    const uint64_t* row(int64_t x, int64_t y) const { return bits.data() + (x * Y + y) * words; }
    uint64_t* row(int64_t x, int64_t y) { return bits.data() + (x * Y + y) * words; }
    bool test(int64_t x, int64_t y, int64_t z) const {
        return (row(x, y)[z >> 6] >> (z & 63)) & 1u;
    }
    /// Number of set voxels.
    int64_t count() const;
    /// Inclusive bounding box {x0, y0, z0, x1, y1, z1} of the set voxels;
    /// x1 < x0 when none is set.
    std::array<int64_t, 6> boundingBox() const;
};

/// One voxel position (x, y, z) in a BitVolume's padded (X, Y, Z) frame.
struct Voxel {
    int32_t x, y, z;
};

/// Packs MONAI's foreground of `mask` (1 to 3 dims, any dtype, CPU; values
/// equal to 1 are foreground, non-zero for bool). Rows are packed in
/// parallel (at::parallel_for). Throws std::invalid_argument for another
/// rank, a CUDA tensor or an axis of 2^31 voxels or more.
BitVolume packForeground(const at::Tensor& mask);

/// Face-connected surface of `fg` (see the file comment): set voxels with a
/// face neighbour along a real axis that is unset or outside the volume.
/// Parallel over rows.
BitVolume surfaceEdges(const BitVolume& fg);

/// The set voxels in raster (C) order, as MONAI's boolean indexing lists
/// them.
std::vector<Voxel> setVoxels(const BitVolume& v);

} // namespace medulla::kernels
