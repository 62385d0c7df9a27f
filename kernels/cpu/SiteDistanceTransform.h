#pragma once
/// The dense side of the surface-distance kernel (SurfaceDistance.h): exact
/// distances from chosen query voxels to the nearest set voxel of a packed
/// site volume, computed over the bounding box of the sites and those
/// queries, for when the sites are too far from the queries for the ring
/// search (RingSearch.h) to pay.

#include <cstdint>
#include <vector>

#include "kernels/cpu/SurfaceDistance.h"

namespace medulla::kernels {

/// For each i in `which`, out[i] = distance from queries[i] to the nearest
/// set voxel of `sites` (which must have one), as float32.
/// Euclidean: the separable exact transform (scipy's distance_transform_edt
/// values) with the spacing of `options`: squared 1D distances along z
/// straight from the bits, lower envelopes (lowerEnvelope1d of
/// DistanceTransform.h) along y over the whole box and along x only on the
/// lines that hold a query, read at the queries; passes parallel over lines.
/// Chessboard, taxicab: distanceTransformCdt (ChamferDistance.h) of the box.
void denseSiteDistances(const BitVolume& sites, const std::vector<Voxel>& queries,
                        const std::vector<int64_t>& which, const SurfaceDistanceOptions& options,
                        std::vector<float>& out);

} // namespace medulla::kernels
