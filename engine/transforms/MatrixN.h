#pragma once
/// A small dense square matrix of doubles for the homogeneous index maps of
/// 2D (3x3) and 3D (4x4) spatial transforms. Row-major; not for big sizes.

#include <cstddef>
#include <vector>

#include "engine/core/Affine.h"

namespace medulla {

class MatrixN {
public:
    explicit MatrixN(size_t n = 4); ///< identity of size n
    size_t size() const { return n_; }
    double operator()(size_t r, size_t c) const { return v_[r * n_ + c]; }
    double& operator()(size_t r, size_t c) { return v_[r * n_ + c]; }
    const std::vector<double>& values() const { return v_; }

    MatrixN operator*(const MatrixN& o) const;
    /// Throws std::invalid_argument when singular.
    MatrixN inverse() const;

    /// Homogeneous translation / diagonal scale of d spatial axes.
    static MatrixN translation(const std::vector<double>& shift);
    static MatrixN scaling(const std::vector<double>& scale);

    /// MONAI's to_affine_nd: the d-D part of a 4x4 affine (rows and columns
    /// of the first d axes plus the translation).
    static MatrixN fromAffine(const Affine& a, size_t d);
    /// The 4x4 affine `base` with this d-D map applied on the right
    /// (base @ embed(this)), as MONAI updates a MetaTensor's affine.
    Affine appliedTo(const Affine& base) const;

private:
    size_t n_;
    std::vector<double> v_;
};

} // namespace medulla
