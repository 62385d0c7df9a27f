#include "kernels/cpu/SurfaceEdges.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace medulla::kernels {
namespace {

/// Rows per parallel chunk so that a chunk holds about 64k voxels.
int64_t rowGrain(int64_t z) {
    return std::max<int64_t>(1, 65536 / std::max<int64_t>(z, 1));
}

template <class T> inline bool isForeground(T v) {
    return v == T(1);
}
template <> inline bool isForeground<bool>(bool v) {
    return v;
}

/// Packs n (<= 64) values into the low bits of a word. The full-word case
/// has a constant trip count so that the compiler unrolls it.
template <class T> inline uint64_t packWord(const T* p, int64_t n) {
    uint64_t bits = 0;
    if (n == 64) {
        for (int k = 0; k < 64; ++k)
            bits |= uint64_t(isForeground(p[k])) << k;
    } else {
        for (int64_t k = 0; k < n; ++k)
            bits |= uint64_t(isForeground(p[k])) << k;
    }
    return bits;
}

#if defined(__SSE2__)
/// float32: four compares per instruction, their sign bits gathered by
/// movemask.
template <> inline uint64_t packWord<float>(const float* p, int64_t n) {
    if (n != 64) {
        uint64_t bits = 0;
        for (int64_t k = 0; k < n; ++k)
            bits |= uint64_t(p[k] == 1.0f) << k;
        return bits;
    }
    const __m128 one = _mm_set1_ps(1.0f);
    uint64_t bits = 0;
    for (int k = 0; k < 64; k += 4)
        bits |= uint64_t(_mm_movemask_ps(_mm_cmpeq_ps(_mm_loadu_ps(p + k), one))) << k;
    return bits;
}
#endif

} // namespace

int64_t BitVolume::count() const {
    int64_t n = 0;
    for (uint64_t w : bits)
        n += __builtin_popcountll(w);
    return n;
}

std::array<int64_t, 6> BitVolume::boundingBox() const {
    std::array<int64_t, 6> b{X, Y, Z, -1, -1, -1};
    for (int64_t x = 0; x < X; ++x)
        for (int64_t y = 0; y < Y; ++y) {
            const uint64_t* r = row(x, y);
            for (int64_t w = 0; w < words; ++w) {
                if (!r[w])
                    continue;
                const int64_t lo = w * 64 + __builtin_ctzll(r[w]);
                int64_t hiW = words - 1;
                while (!r[hiW])
                    --hiW;
                const int64_t hi = hiW * 64 + 63 - __builtin_clzll(r[hiW]);
                b[0] = std::min(b[0], x), b[3] = std::max(b[3], x);
                b[1] = std::min(b[1], y), b[4] = std::max(b[4], y);
                b[2] = std::min(b[2], lo), b[5] = std::max(b[5], hi);
                break;
            }
        }
    return b;
}

BitVolume packForeground(const at::Tensor& maskIn) {
    const int64_t nd = maskIn.dim();
    if (nd < 1 || nd > 3)
        throw std::invalid_argument("packForeground: expected 1 to 3 spatial dims, got " +
                                    std::to_string(nd));
    if (!maskIn.device().is_cpu())
        throw std::invalid_argument("packForeground: the mask must be on the CPU");
    for (int64_t s : maskIn.sizes())
        if (s >= std::numeric_limits<int32_t>::max())
            throw std::invalid_argument("packForeground: an axis has 2^31 voxels or more");
    BitVolume v;
    v.spatialDims = int(nd);
    v.Z = maskIn.size(nd - 1);
    v.Y = nd >= 2 ? maskIn.size(nd - 2) : 1;
    v.X = nd == 3 ? maskIn.size(0) : 1;
    v.words = (v.Z + 63) / 64;
    v.bits.assign(size_t(v.rows() * v.words), 0);
    if (v.bits.empty())
        return v;
    const at::Tensor mask = maskIn.contiguous();
    AT_DISPATCH_ALL_TYPES_AND3(
        at::kBool, at::kHalf, at::kBFloat16, mask.scalar_type(), "packForeground", [&] {
            const scalar_t* p = mask.data_ptr<scalar_t>();
            at::parallel_for(0, v.rows(), rowGrain(v.Z), [&](int64_t b, int64_t e) {
                for (int64_t r = b; r < e; ++r) {
                    const scalar_t* src = p + r * v.Z;
                    uint64_t* dst = v.bits.data() + r * v.words;
                    for (int64_t w = 0; w < v.words; ++w)
                        dst[w] = packWord(src + w * 64, std::min<int64_t>(64, v.Z - w * 64));
                }
            });
        });
    return v;
}

BitVolume surfaceEdges(const BitVolume& fg) {
    BitVolume e = fg;
    if (fg.bits.empty())
        return e;
    const bool xReal = fg.spatialDims == 3, yReal = fg.spatialDims >= 2;
    const int64_t W = fg.words;
    at::parallel_for(0, fg.rows(), rowGrain(fg.Z), [&](int64_t b, int64_t end) {
        for (int64_t r = b; r < end; ++r) {
            const int64_t x = r / fg.Y, y = r % fg.Y;
            const uint64_t* f = fg.row(x, y);
            // A missing neighbour row along a real axis is background.
            const uint64_t* xm = xReal && x > 0 ? fg.row(x - 1, y) : nullptr;
            const uint64_t* xp = xReal && x + 1 < fg.X ? fg.row(x + 1, y) : nullptr;
            const uint64_t* ym = yReal && y > 0 ? fg.row(x, y - 1) : nullptr;
            const uint64_t* yp = yReal && y + 1 < fg.Y ? fg.row(x, y + 1) : nullptr;
            uint64_t* out = e.row(x, y);
            for (int64_t w = 0; w < W; ++w) {
                const uint64_t c = f[w];
                if (!c) {
                    out[w] = 0;
                    continue;
                }
                // bit z of below = voxel z - 1; of above = voxel z + 1 (0 past the row)
                const uint64_t below = (c << 1) | (w > 0 ? f[w - 1] >> 63 : 0);
                const uint64_t above = (c >> 1) | (w + 1 < W ? f[w + 1] << 63 : 0);
                uint64_t interior = c & below & above;
                if (xReal)
                    interior &= (xm ? xm[w] : 0) & (xp ? xp[w] : 0);
                if (yReal)
                    interior &= (ym ? ym[w] : 0) & (yp ? yp[w] : 0);
                out[w] = c & ~interior;
            }
        }
    });
    return e;
}

std::vector<Voxel> setVoxels(const BitVolume& v) {
    std::vector<Voxel> out;
    out.reserve(size_t(v.count()));
    for (int64_t x = 0; x < v.X; ++x)
        for (int64_t y = 0; y < v.Y; ++y) {
            const uint64_t* r = v.row(x, y);
            for (int64_t w = 0; w < v.words; ++w)
                for (uint64_t m = r[w]; m; m &= m - 1)
                    out.push_back({int32_t(x), int32_t(y), int32_t(w * 64 + __builtin_ctzll(m))});
        }
    return out;
}

} // namespace medulla::kernels
