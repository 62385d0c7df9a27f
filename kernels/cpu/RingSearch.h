#pragma once
/// Exact nearest-site search for the surface-distance kernel
/// (SurfaceDistance.h): from a query voxel, the packed rows (x, y) of the
/// site volume are visited in square rings of growing Chebyshev radius in
/// the (x, y) plane; each row is answered by bit scans for the nearest set
/// bit along z. The search stops as soon as no farther ring can hold a
/// closer site, so its cost grows with the distance found, not with the
/// volume.

#include <array>
#include <cstdint>

#include "kernels/cpu/SurfaceDistance.h"

namespace medulla::kernels {

/// Physical size of a voxel along the padded axes (X, Y, Z) of a BitVolume
/// of `spatialDims` real dims: spacing values for euclidean (padding axes
/// 1), 1 everywhere for chessboard and taxicab.
std::array<double, 3> axisSpacing(int spatialDims, const std::vector<double>& spacing,
                                  SurfaceMetric metric);

/// Smallest |dz| <= maxDz from z to a set bit of a packed row of `words`
/// words, or -1 when there is none that close.
int64_t nearestInRow(const uint64_t* row, int64_t words, int64_t z, int64_t maxDz);

class RingSearch {
public:
    /// `sites` must outlive the search and have at least one set voxel.
    RingSearch(const BitVolume& sites, const SurfaceDistanceOptions& options);

    /// Cost of the nearest site of q (squared physical distance for
    /// euclidean, voxels otherwise), or NaN when rings up to maxRing did not
    /// settle it. Adds the rows visited to *rows when given. Thread-safe.
    double operator()(const Voxel& q, int64_t maxRing, int64_t* rows = nullptr) const;

    /// Cost -> MONAI's float32 distance.
    float distance(double cost) const;

private:
    void visitRow(int64_t x, int64_t y, int64_t dx, int64_t dy, int64_t z, double& best) const;

    const BitVolume& s_;
    SurfaceMetric metric_;
    std::array<double, 3> sp_;
    double ringScale_; ///< lower bound of the cost of ring k is k^2 * ringScale_ (euclidean)
};

} // namespace medulla::kernels
