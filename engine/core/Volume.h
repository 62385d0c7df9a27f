#pragma once
/// A medical image in memory: a channel-first tensor shaped (C, X, Y, Z)
/// (or (C, X, Y) in 2D) plus the affine mapping voxel indices of the spatial
/// axes, in array order, to RAS+ world millimetres.
///
/// This header is included by the Qt layer, so it exposes LibTorch through
/// <ATen/Tensor.h> only (see DESIGN.md, "Known pitfalls").

#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Affine.h"

namespace medulla {

class Volume {
public:
    /// An empty volume (isValid() == false).
    Volume() = default;
    /// data: (C, *spatial) with 2 or 3 spatial axes, any dtype, any device.
    /// Throws ShapeError for other ranks.
    Volume(at::Tensor data, Affine affine = Affine());

    bool isValid() const { return data_.defined(); }

    const at::Tensor& data() const { return data_; }
    /// Replace the voxels; the affine is kept (callers moving voxels update it).
    void setData(at::Tensor data);

    const Affine& affine() const { return affine_; }
    void setAffine(const Affine& affine) { affine_ = affine; }

    int64_t channels() const;
    /// Number of spatial axes (2 or 3).
    int spatialDims() const;
    /// Sizes of the spatial axes (X, Y[, Z]).
    std::vector<int64_t> spatialShape() const;

    Vec3 spacing() const { return affine_.spacing(); }
    Vec3 origin() const { return affine_.origin(); }
    Mat3 direction() const { return affine_.direction(); }

    /// A float32, contiguous, CPU copy (or this volume if it already is one).
    Volume toFloatCpu() const;
    /// Pointer to float32 voxels; requires a contiguous float32 CPU tensor.
    /// Element (c, x, y, z) is at ((c*X + x)*Y + y)*Z + z.
    const float* floatData() const;

    /// Voxel value as double at (c, x, y, z) (z ignored in 2D).
    double valueAt(int64_t c, int64_t x, int64_t y, int64_t z = 0) const;

    /// One-line description: "1x181x217x181 uint8, 1x1x1 mm, RAS".
    std::string describe() const;

private:
    at::Tensor data_;
    Affine affine_;
};

} // namespace medulla
