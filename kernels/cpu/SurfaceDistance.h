#pragma once
/// Exact surface distances between two binary masks, with MONAI 1.3.2's
/// definitions (monai.metrics.utils.get_edge_surface_distance): edges as in
/// SurfaceEdges.h, then for every edge voxel of one mask the distance to the
/// nearest edge voxel of the other, as scipy's distance_transform_edt
/// (euclidean, with per-axis spacing) or distance_transform_cdt (chessboard,
/// taxicab; in voxels, spacing ignored) would give it on the cropped box.
/// Values are float32 like MONAI's (computed in float64, then rounded).
///
/// How: an exact nearest-site search per query voxel over square rings of
/// rows around it, each row answered by bit scans of the packed edge mask
/// (RingSearch.h; its cost grows with the distance, not the volume). An
/// even sample of the queries is searched first; when its cost per query
/// says that searching the rest would cost more than a dense exact
/// transform of the sites' bounding box (SiteDistanceTransform.h: masks far
/// apart), the rest is answered by that transform instead. Both are exact.
/// Parallel over queries and lines (at::parallel_for).

#include <ATen/Tensor.h>

#include <optional>
#include <string>
#include <vector>

#include "kernels/cpu/SurfaceEdges.h"

namespace medulla::kernels {

enum class SurfaceMetric { Euclidean, Chessboard, Taxicab };

/// "euclidean", "chessboard" or "taxicab"; throws std::invalid_argument
/// otherwise.
SurfaceMetric surfaceMetricFromName(const std::string& name);

struct SurfaceDistanceOptions {
    SurfaceMetric metric = SurfaceMetric::Euclidean;
    /// Physical size of a voxel per spatial axis (one value = all axes, empty
    /// = 1); only euclidean uses it. Every value must be finite and > 0.
    std::vector<double> spacing;
    /// Also the distances from the second mask's edges to the first's.
    bool symmetric = false;
    /// -1 = automatic (see above). For tests, n >= 0: every query is searched
    /// up to n rings, the ones still open go to the dense transform (0 sends
    /// nearly every query there).
    int searchRings = -1;
};

/// Distances of one mask pair, in the raster order of the edge voxels.
struct SurfaceDistances {
    std::vector<float> predToGt; ///< one per edge voxel of pred (see emptiness below)
    std::vector<float> gtToPred; ///< symmetric only
    int64_t predEdges = 0, gtEdges = 0;
};

/// pred, gt: the same shape of 1 to 3 spatial dims, any dtype, CPU
/// (foreground = value 1, see SurfaceEdges.h). MONAI's empty conventions
/// per direction A -> B: B without edges gives +inf for each edge voxel of
/// A; A without edges (B with some) gives +inf for each edge voxel of B;
/// both without edges give no value. Throws std::invalid_argument on
/// mismatched shapes, bad spacing or an unsupported tensor.
SurfaceDistances surfaceDistances(const at::Tensor& pred, const at::Tensor& gt,
                                  const SurfaceDistanceOptions& options);

/// The directed part on packed edges: for each set voxel of `from` (raster
/// order) the distance to the nearest set voxel of `to`, which must have
/// one; both share one shape.
std::vector<float> edgeDistances(const BitVolume& from, const BitVolume& to,
                                 const SurfaceDistanceOptions& options);

/// torch.quantile(values, q) with linear interpolation, in float32 like
/// torch on a float32 tensor (q rounded to float, rank = q * (n - 1)); uses
/// nth_element, reorders `values`. NaN when empty; q in [0, 1].
float quantileLinear(std::vector<float>& values, double q);

/// MONAI's directed Hausdorff value of one distance list: NaN when empty,
/// the maximum when percentile is unset or 0, else
/// quantileLinear(values, percentile / 100). Reorders `values`.
float directedHausdorff(std::vector<float>& values, std::optional<double> percentile);

/// Mean of the values (summed in float64), NaN when empty.
float meanDistance(const std::vector<float>& a, const std::vector<float>& b = {});

/// Number of values <= threshold, compared in float32 like torch does for
/// a float32 tensor and a Python float.
int64_t countWithin(const std::vector<float>& values, double threshold);

} // namespace medulla::kernels
