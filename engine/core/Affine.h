#pragma once
/// 4x4 homogeneous affine matrices mapping voxel indices (i, j, k, 1) to world
/// millimetres in RAS+ (nibabel/MONAI convention). Plain doubles, no LibTorch.

#include <array>
#include <string>

namespace medulla {

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<Vec3, 3>; ///< row-major: m[row][col]

/// Row-major 4x4 affine; the last row is (0, 0, 0, 1).
class Affine {
public:
    /// Identity.
    Affine();
    /// From row-major values.
    explicit Affine(const std::array<std::array<double, 4>, 4>& m);

    /// Build from per-axis spacing (mm), origin (world position of voxel 0)
    /// and direction cosines (columns = world direction of each voxel axis).
    static Affine fromGeometry(const Vec3& spacing, const Vec3& origin, const Mat3& direction);

    double operator()(int r, int c) const { return m_[r][c]; }
    double& operator()(int r, int c) { return m_[r][c]; }
    const std::array<std::array<double, 4>, 4>& rows() const { return m_; }

    /// Column norms of the 3x3 part: voxel size along each array axis, mm.
    Vec3 spacing() const;
    /// Translation column: world position of voxel (0, 0, 0).
    Vec3 origin() const;
    /// Normalised columns of the 3x3 part, as a row-major matrix.
    Mat3 direction() const;

    Affine operator*(const Affine& o) const;
    /// Inverse; throws medulla::Error if singular.
    Affine inverse() const;

    Vec3 voxelToWorld(const Vec3& ijk) const;
    Vec3 worldToVoxel(const Vec3& xyz) const;

    /// Nearest axis codes, e.g. "RAS", "LPS", "LSA" (nibabel aff2axcodes).
    std::string axisCodes() const;

    /// Flip the first two world axes (RAS <-> LPS); applied once at IO.
    Affine flippedXY() const;

    /// Max absolute element difference.
    double maxAbsDiff(const Affine& o) const;

private:
    std::array<std::array<double, 4>, 4> m_;
};

} // namespace medulla
