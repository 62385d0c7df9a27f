#include "kernels/cpu/SiteDistanceTransform.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>

#include "kernels/cpu/ChamferDistance.h"
#include "kernels/cpu/DistanceTransform.h"
#include "kernels/cpu/RingSearch.h"

namespace medulla::kernels {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Box [lo, lo + n) per padded axis holding the sites and the chosen queries.
struct Box {
    std::array<int64_t, 3> lo{}, n{};
    int64_t index(int64_t x, int64_t y, int64_t z) const {
        return ((x - lo[0]) * n[1] + (y - lo[1])) * n[2] + (z - lo[2]);
    }
};

Box boxOf(const BitVolume& sites, const std::vector<Voxel>& queries,
          const std::vector<int64_t>& which) {
    std::array<int64_t, 6> b = sites.boundingBox();
    for (int64_t i : which) {
        const Voxel& q = queries[size_t(i)];
        const int64_t c[3] = {q.x, q.y, q.z};
        for (size_t a = 0; a < 3; ++a) {
            b[a] = std::min(b[a], c[a]);
            b[a + 3] = std::max(b[a + 3], c[a]);
        }
    }
    Box box;
    for (size_t a = 0; a < 3; ++a) {
        box.lo[a] = b[a];
        box.n[a] = b[a + 3] - b[a] + 1;
    }
    return box;
}

/// Squared 1D distance along z to the nearest site of each box row, +inf
/// in rows without one.
void passAlongZ(const BitVolume& sites, const Box& box, double sz, double* g) {
    const int64_t nz = box.n[2];
    at::parallel_for(
        0, box.n[0] * box.n[1], std::max<int64_t>(1, 16384 / nz), [&](int64_t b, int64_t e) {
            std::vector<int64_t> d(static_cast<size_t>(nz));
            for (int64_t r = b; r < e; ++r) {
                const int64_t x = box.lo[0] + r / box.n[1], y = box.lo[1] + r % box.n[1];
                const uint64_t* row = sites.row(x, y);
                double* out = g + r * nz;
                uint64_t any = 0;
                for (int64_t w = box.lo[2] >> 6; w <= (box.lo[2] + nz - 1) >> 6; ++w)
                    any |= row[w];
                if (!any) {
                    std::fill(out, out + nz, kInf);
                    continue;
                }
                const int64_t far = std::numeric_limits<int32_t>::max();
                int64_t last = -far;
                for (int64_t z = 0; z < nz; ++z) {
                    const int64_t zz = box.lo[2] + z;
                    if ((row[zz >> 6] >> (zz & 63)) & 1u)
                        last = z;
                    d[size_t(z)] = z - last;
                }
                int64_t next = 2 * far;
                for (int64_t z = nz - 1; z >= 0; --z) {
                    if (d[size_t(z)] == 0)
                        next = z;
                    const int64_t dz = std::min(d[size_t(z)], next - z);
                    const double t = double(dz) * sz;
                    out[z] = dz >= far ? kInf : t * t;
                }
            }
        });
}

/// Lines processed together: adjacent in memory (consecutive z), so that
/// the strided gathers read whole cache lines.
constexpr int64_t kBlock = 8;

/// Lower envelopes (lowerEnvelope1d) along a strided axis of g, over
/// `blocks` blocks of up to kBlock lines each; start(block) gives the
/// block's first element and width. after(block, width, envelopes, base)
/// takes the results, envelopes[j * n + i] for line j.
template <class Start, class After>
void envelopeBlocks(double* g, int64_t blocks, int64_t n, int64_t stride, double s, Start&& start,
                    After&& after) {
    at::parallel_for(0, blocks, std::max<int64_t>(1, 512 / n), [&](int64_t b, int64_t e) {
        std::vector<double> f(static_cast<size_t>(kBlock * n)), env(f), zb(size_t(n) + 1);
        std::vector<int64_t> v(static_cast<size_t>(n));
        for (int64_t k = b; k < e; ++k) {
            const auto [offset, width] = start(k);
            double* base = g + offset;
            for (int64_t i = 0; i < n; ++i)
                for (int64_t j = 0; j < width; ++j)
                    f[size_t(j * n + i)] = base[i * stride + j];
            for (int64_t j = 0; j < width; ++j)
                lowerEnvelope1d(f.data() + j * n, env.data() + j * n, n, s, v.data(), zb.data());
            after(k, width, env.data(), base);
        }
    });
}

void euclidean(const BitVolume& sites, const std::vector<Voxel>& queries,
               const std::vector<int64_t>& which, const SurfaceDistanceOptions& o,
               std::vector<float>& out) {
    const Box box = boxOf(sites, queries, which);
    const auto sp = axisSpacing(sites.spatialDims, o.spacing, o.metric);
    const int64_t nx = box.n[0], ny = box.n[1], nz = box.n[2], zBlocks = (nz + kBlock - 1) / kBlock;
    // not zero-filled: the z pass writes every element (and first touches
    // the pages on several threads)
    std::unique_ptr<double[]> g(new double[size_t(nx * ny * nz)]);
    passAlongZ(sites, box, sp[2], g.get());
    // along y: every (x, z) line, written back
    envelopeBlocks(
        g.get(), nx * zBlocks, ny, nz, sp[1],
        [&](int64_t k) {
            const int64_t z0 = (k % zBlocks) * kBlock;
            return std::pair<int64_t, int64_t>((k / zBlocks) * ny * nz + z0,
                                               std::min(kBlock, nz - z0));
        },
        [&](int64_t, int64_t width, const double* env, double* base) {
            for (int64_t i = 0; i < ny; ++i)
                for (int64_t j = 0; j < width; ++j)
                    base[i * nz + j] = env[j * ny + i];
        });
    // along x: only the blocks of (y, z) lines that hold queries, read there
    std::vector<std::pair<int64_t, int64_t>> byBlock; // (block of y * zBlocks + z / kBlock, query)
    byBlock.reserve(which.size());
    for (int64_t i : which) {
        const Voxel& q = queries[size_t(i)];
        byBlock.emplace_back((q.y - box.lo[1]) * zBlocks + (q.z - box.lo[2]) / kBlock, i);
    }
    std::sort(byBlock.begin(), byBlock.end());
    std::vector<size_t> first; // where each block's queries start in byBlock
    for (size_t k = 0; k < byBlock.size(); ++k)
        if (k == 0 || byBlock[k].first != byBlock[k - 1].first)
            first.push_back(k);
    first.push_back(byBlock.size());
    envelopeBlocks(
        g.get(), int64_t(first.size()) - 1, nx, ny * nz, sp[0],
        [&](int64_t k) {
            const int64_t block = byBlock[first[size_t(k)]].first;
            const int64_t z0 = (block % zBlocks) * kBlock;
            return std::pair<int64_t, int64_t>((block / zBlocks) * nz + z0,
                                               std::min(kBlock, nz - z0));
        },
        [&](int64_t k, int64_t, const double* env, double*) {
            for (size_t m = first[size_t(k)]; m < first[size_t(k) + 1]; ++m) {
                const Voxel& q = queries[size_t(byBlock[m].second)];
                const int64_t j = (q.z - box.lo[2]) % kBlock;
                out[size_t(byBlock[m].second)] = float(std::sqrt(env[j * nx + q.x - box.lo[0]]));
            }
        });
}

void chamfer(const BitVolume& sites, const std::vector<Voxel>& queries,
             const std::vector<int64_t>& which, const SurfaceDistanceOptions& o,
             std::vector<float>& out) {
    const Box box = boxOf(sites, queries, which);
    at::Tensor notSite = at::ones({box.n[0], box.n[1], box.n[2]}, at::kByte);
    uint8_t* p = notSite.data_ptr<uint8_t>();
    for (int64_t x = box.lo[0]; x < box.lo[0] + box.n[0]; ++x)
        for (int64_t y = box.lo[1]; y < box.lo[1] + box.n[1]; ++y)
            for (int64_t z = box.lo[2]; z < box.lo[2] + box.n[2]; ++z)
                if (sites.test(x, y, z))
                    p[box.index(x, y, z)] = 0;
    // the transform sees the real rank (no padding axes)
    const auto sizes = notSite.sizes().slice(size_t(3 - sites.spatialDims));
    const at::Tensor d =
        distanceTransformCdt(notSite.view(sizes), o.metric == SurfaceMetric::Chessboard);
    const int32_t* dp = d.data_ptr<int32_t>();
    for (int64_t i : which) {
        const Voxel& q = queries[size_t(i)];
        out[size_t(i)] = float(dp[box.index(q.x, q.y, q.z)]);
    }
}

} // namespace

void denseSiteDistances(const BitVolume& sites, const std::vector<Voxel>& queries,
                        const std::vector<int64_t>& which, const SurfaceDistanceOptions& o,
                        std::vector<float>& out) {
    if (which.empty())
        return;
    if (o.metric == SurfaceMetric::Euclidean)
        euclidean(sites, queries, which, o, out);
    else
        chamfer(sites, queries, which, o, out);
}

} // namespace medulla::kernels
