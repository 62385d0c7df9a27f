#include "kernels/cpu/RingSearch.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace medulla::kernels {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
} // namespace

std::array<double, 3> axisSpacing(int spatialDims, const std::vector<double>& spacing,
                                  SurfaceMetric metric) {
    std::array<double, 3> sp{1, 1, 1};
    if (metric != SurfaceMetric::Euclidean)
        return sp;
    for (int a = 3 - spatialDims; a < 3; ++a)
        sp[size_t(a)] = spacing.empty()       ? 1.0
                        : spacing.size() == 1 ? spacing[0]
                                              : spacing[size_t(a - (3 - spatialDims))];
    return sp;
}

int64_t nearestInRow(const uint64_t* row, int64_t words, int64_t z, int64_t maxDz) {
    if (maxDz < 0)
        return -1;
    const int64_t w0 = z >> 6;
    const int b = int(z & 63);
    int64_t best = -1;
    const int64_t upEnd = std::min(words - 1, (z + maxDz) >> 6);
    uint64_t m = row[w0] & (~uint64_t(0) << b);
    for (int64_t w = w0;;) {
        if (m) {
            best = w * 64 + __builtin_ctzll(m) - z;
            break;
        }
        if (++w > upEnd)
            break;
        m = row[w];
    }
    const int64_t downEnd = std::max<int64_t>(0, z - maxDz) >> 6;
    m = row[w0] & (b == 63 ? ~uint64_t(0) : (uint64_t(2) << b) - 1);
    for (int64_t w = w0;;) {
        if (m) {
            const int64_t d = z - (w * 64 + 63 - __builtin_clzll(m));
            if (best < 0 || d < best)
                best = d;
            break;
        }
        if (--w < downEnd)
            break;
        m = row[w];
    }
    return best >= 0 && best <= maxDz ? best : -1;
}

RingSearch::RingSearch(const BitVolume& sites, const SurfaceDistanceOptions& o)
    : s_(sites), metric_(o.metric), sp_(axisSpacing(sites.spatialDims, o.spacing, o.metric)) {
    ringScale_ = kInf; // 1D: ring 0 is the only one
    if (sites.spatialDims == 3)
        ringScale_ = std::min(sp_[0] * sp_[0], sp_[1] * sp_[1]);
    else if (sites.spatialDims == 2)
        ringScale_ = sp_[1] * sp_[1];
}

float RingSearch::distance(double cost) const {
    return metric_ == SurfaceMetric::Euclidean ? float(std::sqrt(cost)) : float(cost);
}

double RingSearch::operator()(const Voxel& q, int64_t maxRing, int64_t* rows) const {
    const int64_t kStop = std::max({int64_t(q.x), s_.X - 1 - q.x, int64_t(q.y), s_.Y - 1 - q.y});
    double best = kInf;
    int64_t visited = 0;
    for (int64_t k = 0; k <= kStop; ++k) {
        const double bound =
            metric_ == SurfaceMetric::Euclidean ? double(k * k) * ringScale_ : double(k);
        if (bound >= best)
            break;
        if (k > maxRing) {
            best = std::nan("");
            break;
        }
        for (int64_t dx = -k; dx <= k; ++dx) {
            const int64_t x = q.x + dx;
            if (x < 0 || x >= s_.X)
                continue;
            // the first and last columns of the ring are full, the others
            // have their two ends only
            const bool full = dx == -k || dx == k;
            for (int64_t dy = -k; dy <= k; dy += full ? 1 : std::max<int64_t>(2 * k, 1)) {
                const int64_t y = q.y + dy;
                if (y >= 0 && y < s_.Y) {
                    visitRow(x, y, dx, dy, q.z, best);
                    ++visited;
                }
            }
        }
    }
    if (rows)
        *rows += visited;
    return best;
}

void RingSearch::visitRow(int64_t x, int64_t y, int64_t dx, int64_t dy, int64_t z,
                          double& best) const {
    const uint64_t* row = s_.row(x, y);
    if (metric_ == SurfaceMetric::Euclidean) {
        const double tx = double(dx) * sp_[0], ty = double(dy) * sp_[1];
        const double base = tx * tx + ty * ty;
        if (base >= best)
            return;
        // only |dz| that can beat `best` (plus one for rounding) are scanned
        const int64_t maxDz = best == kInf ? s_.Z : int64_t(std::sqrt(best - base) / sp_[2]) + 1;
        const int64_t dz = nearestInRow(row, s_.words, z, maxDz);
        if (dz < 0)
            return;
        const double tz = double(dz) * sp_[2];
        best = std::min(best, base + tz * tz);
        return;
    }
    const int64_t ax = std::abs(dx), ay = std::abs(dy);
    const bool taxicab = metric_ == SurfaceMetric::Taxicab;
    const int64_t base = taxicab ? ax + ay : std::max(ax, ay);
    if (double(base) >= best)
        return;
    const int64_t slack = best == kInf ? s_.Z : int64_t(best) - 1;
    const int64_t dz = nearestInRow(row, s_.words, z, taxicab ? slack - base : slack);
    if (dz >= 0)
        best = std::min(best, double(taxicab ? base + dz : std::max(base, dz)));
}

} // namespace medulla::kernels
