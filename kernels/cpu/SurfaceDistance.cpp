#include "kernels/cpu/SurfaceDistance.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "kernels/cpu/RingSearch.h"
#include "kernels/cpu/SiteDistanceTransform.h"

namespace medulla::kernels {
namespace {

constexpr float kInfF = std::numeric_limits<float>::infinity();
constexpr float kNaNF = std::numeric_limits<float>::quiet_NaN();
/// Queries searched first, uncapped, to estimate the cost of searching all.
constexpr int64_t kSample = 64;
/// Cost of one ring-search row visit in voxels of the dense transform
/// (measured on the 2-core test machine).
constexpr double kRowCostInVoxels = 0.7;

void checkSpacing(const std::vector<double>& spacing, int nd) {
    if (!spacing.empty() && spacing.size() != 1 && int(spacing.size()) != nd)
        throw std::invalid_argument("surface distance: " + std::to_string(spacing.size()) +
                                    " spacing values for " + std::to_string(nd) + " spatial dims");
    for (double s : spacing)
        if (!(s > 0) || !std::isfinite(s))
            throw std::invalid_argument("surface distance: spacing must be positive, got " +
                                        std::to_string(s));
}

/// MONAI's direction A -> B, with its empty conventions.
std::vector<float> directed(const BitVolume& a, int64_t na, const BitVolume& b, int64_t nb,
                            const SurfaceDistanceOptions& o) {
    if (nb == 0)
        return std::vector<float>(size_t(na), kInfF);
    if (na == 0)
        return std::vector<float>(size_t(nb), kInfF);
    return edgeDistances(a, b, o);
}

} // namespace

SurfaceMetric surfaceMetricFromName(const std::string& name) {
    if (name == "euclidean")
        return SurfaceMetric::Euclidean;
    if (name == "chessboard")
        return SurfaceMetric::Chessboard;
    if (name == "taxicab")
        return SurfaceMetric::Taxicab;
    throw std::invalid_argument("distance_metric \"" + name +
                                "\" is not one of euclidean, chessboard, taxicab");
}

std::vector<float> edgeDistances(const BitVolume& from, const BitVolume& to,
                                 const SurfaceDistanceOptions& o) {
    checkSpacing(o.spacing, to.spatialDims);
    const std::vector<Voxel> queries = setVoxels(from);
    const int64_t n = int64_t(queries.size());
    std::vector<float> out(queries.size(), kNaNF);
    if (n == 0)
        return out;
    const RingSearch search(to, o);
    // Searches the queries [begin, end) of `order` (or of all) up to maxRing;
    // returns the rows visited.
    auto run = [&](const std::vector<int64_t>* order, int64_t begin, int64_t end, int64_t maxRing) {
        std::atomic<int64_t> rows{0};
        at::parallel_for(begin, end, 64, [&](int64_t b, int64_t e) {
            int64_t visited = 0;
            for (int64_t j = b; j < e; ++j) {
                const int64_t i = order ? (*order)[size_t(j)] : j;
                const double cost = search(queries[size_t(i)], maxRing, &visited);
                if (!std::isnan(cost))
                    out[size_t(i)] = search.distance(cost);
            }
            rows += visited;
        });
        return rows.load();
    };
    std::vector<int64_t> rest;
    if (o.searchRings >= 0) {
        // tests: a fixed number of rings, then the dense transform
        run(nullptr, 0, n, o.searchRings);
        for (int64_t i = 0; i < n; ++i)
            if (std::isnan(out[size_t(i)]))
                rest.push_back(i);
        denseSiteDistances(to, queries, rest, o, out);
        return out;
    }
    // Search an even sample without a cap, then the rest the same way or
    // densely, whichever the sample says is cheaper.
    std::vector<int64_t> order;
    order.reserve(size_t(n));
    const int64_t step = std::max<int64_t>(1, n / kSample);
    for (int64_t i = 0; i < n; i += step)
        order.push_back(i);
    const int64_t sampled = int64_t(order.size());
    for (int64_t i = 0; i < n; ++i)
        if (i % step != 0)
            order.push_back(i);
    const int64_t none = std::numeric_limits<int64_t>::max();
    const double rowsPerQuery = double(run(&order, 0, sampled, none)) / double(sampled);
    const auto b = to.boundingBox();
    const double boxVoxels =
        double(b[3] - b[0] + 1) * double(b[4] - b[1] + 1) * double(b[5] - b[2] + 1);
    if (rowsPerQuery * double(n - sampled) * kRowCostInVoxels <= boxVoxels) {
        run(&order, sampled, n, none);
    } else {
        rest.assign(order.begin() + sampled, order.end());
        denseSiteDistances(to, queries, rest, o, out);
    }
    return out;
}

SurfaceDistances surfaceDistances(const at::Tensor& pred, const at::Tensor& gt,
                                  const SurfaceDistanceOptions& o) {
    if (pred.sizes() != gt.sizes())
        throw std::invalid_argument("surfaceDistances: pred " + c10::str(pred.sizes()) +
                                    " and gt " + c10::str(gt.sizes()) + " differ in shape");
    checkSpacing(o.spacing, int(pred.dim()));
    const BitVolume ep = surfaceEdges(packForeground(pred));
    const BitVolume eg = surfaceEdges(packForeground(gt));
    SurfaceDistances r;
    r.predEdges = ep.count();
    r.gtEdges = eg.count();
    r.predToGt = directed(ep, r.predEdges, eg, r.gtEdges, o);
    if (o.symmetric)
        r.gtToPred = directed(eg, r.gtEdges, ep, r.predEdges, o);
    return r;
}

float quantileLinear(std::vector<float>& v, double q) {
    if (v.empty())
        return kNaNF;
    for (float x : v)
        if (std::isnan(x))
            return kNaNF;
    // torch: q as a float32 tensor, rank = q * last_index in float32.
    const float rank = float(q) * float(v.size() - 1);
    // (clamped: float(n - 1) may round up past the last index from 2^24 on)
    const size_t last = v.size() - 1;
    const size_t below = std::min(last, size_t(int64_t(rank)));
    const size_t above = std::min(last, size_t(std::ceil(rank)));
    std::nth_element(v.begin(), v.begin() + ptrdiff_t(below), v.end());
    const float lo = v[below];
    float hi = lo;
    if (above != below)
        hi = *std::min_element(v.begin() + ptrdiff_t(below) + 1, v.end());
    const float w = rank - float(int64_t(rank));
    // at::lerp's two-sided formula
    return std::abs(w) < 0.5f ? lo + w * (hi - lo) : hi - (hi - lo) * (1.0f - w);
}

float directedHausdorff(std::vector<float>& v, std::optional<double> percentile) {
    if (v.empty())
        return kNaNF;
    if (!percentile || *percentile == 0.0) {
        float m = v[0];
        for (float x : v)
            if (std::isnan(x) || x > m)
                m = x;
        return m;
    }
    return quantileLinear(v, *percentile / 100.0);
}

float meanDistance(const std::vector<float>& a, const std::vector<float>& b) {
    const size_t n = a.size() + b.size();
    if (n == 0)
        return kNaNF;
    double s = 0;
    for (float x : a)
        s += x;
    for (float x : b)
        s += x;
    return float(s / double(n));
}

int64_t countWithin(const std::vector<float>& values, double threshold) {
    const float t = float(threshold);
    return std::count_if(values.begin(), values.end(), [t](float x) { return x <= t; });
}

} // namespace medulla::kernels
