#include "kernels/cpu/OverlapSums.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace medulla::kernels {
namespace {

using Sums = std::array<double, 3>;

/// Elements per work item: small enough to spread one channel over the
/// threads, and small enough that float lanes count 0/1 values exactly.
constexpr int64_t kChunk = int64_t(1) << 15;
constexpr int kLanes = 16;

bool fusedType(at::ScalarType t) {
    return t == at::kFloat || t == at::kDouble || t == at::kByte || t == at::kBool;
}

/// The spatial axes (2..) form one dense block; batch/channel strides are free.
bool spatialDense(const at::Tensor& t) {
    int64_t expected = 1;
    for (int64_t d = t.dim() - 1; d >= 2; --d) {
        if (t.size(d) != 1 && t.stride(d) != expected)
            return false;
        expected *= t.size(d);
    }
    return true;
}

/// `v` if keep, else 0, without a branch: GCC does not if-convert a float
/// select under the default -ftrapping-math, so mask the bits instead.
template <typename Acc> inline Acc keepIf(bool keep, Acc v) {
    if constexpr (std::is_floating_point_v<Acc>) {
        using Bits = std::conditional_t<sizeof(Acc) == 4, uint32_t, uint64_t>;
        Bits bits;
        std::memcpy(&bits, &v, sizeof bits);
        bits &= Bits(0) - Bits(keep);
        std::memcpy(&v, &bits, sizeof v);
        return v;
    } else {
        return v * Acc(keep);
    }
}

template <OverlapKind K, typename T, typename Acc>
inline void accumulate(T p, T t, Acc& a, Acc& b, Acc& c) {
    if constexpr (K == OverlapKind::Dice) {
        a += keepIf(p != T(0), Acc(t));
        b += Acc(t);
        c += keepIf(p != T(0), Acc(1));
    } else if constexpr (K == OverlapKind::IoU) {
        a += Acc(p) * Acc(t);
        b += Acc(t);
        c += Acc(p);
    } else {
        const Acc s = Acc(p) + Acc(t);
        a += keepIf(s == Acc(2), Acc(1));
        b += keepIf(s == Acc(0), Acc(1));
        c += Acc(t);
    }
}

/// Sums over n contiguous elements with kLanes independent accumulators
/// (vectorisable, and exact for counts below 2^24 in float).
template <OverlapKind K, typename T, typename Acc>
Sums chunkSums(const T* p, const T* t, int64_t n) {
    Acc a[kLanes] = {}, b[kLanes] = {}, c[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int j = 0; j < kLanes; ++j)
            accumulate<K>(p[i + j], t[i + j], a[j], b[j], c[j]);
    Acc ra = 0, rb = 0, rc = 0;
    for (; i < n; ++i)
        accumulate<K>(p[i], t[i], ra, rb, rc);
    Sums s{double(ra), double(rb), double(rc)};
    for (int j = 0; j < kLanes; ++j) {
        s[0] += double(a[j]);
        s[1] += double(b[j]);
        s[2] += double(c[j]);
    }
    return s;
}

template <OverlapKind K, typename T, typename Acc>
void fusedSums(const at::Tensor& yPred, const at::Tensor& y, int64_t n, double* out) {
    const int64_t batch = y.size(0), channels = y.size(1);
    const int64_t chunks = std::max<int64_t>(1, (n + kChunk - 1) / kChunk);
    const int64_t items = batch * channels * chunks;
    const T* p = reinterpret_cast<const T*>(yPred.data_ptr());
    const T* t = reinterpret_cast<const T*>(y.data_ptr());
    std::vector<Sums> partial(static_cast<size_t>(items));
    // at least ~256k elements per thread before splitting further
    const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 18) / std::max<int64_t>(1, n));
    at::parallel_for(0, items, std::min<int64_t>(grain, items), [&](int64_t begin, int64_t end) {
        for (int64_t item = begin; item < end; ++item) {
            const int64_t bc = item / chunks, k = item % chunks;
            const int64_t b = bc / channels, c = bc % channels;
            const int64_t start = k * kChunk, len = std::min(kChunk, n - start);
            partial[size_t(item)] = chunkSums<K, T, Acc>(
                p + b * yPred.stride(0) + c * yPred.stride(1) + start,
                t + b * y.stride(0) + c * y.stride(1) + start, std::max<int64_t>(len, 0));
        }
    });
    for (int64_t bc = 0; bc < batch * channels; ++bc) {
        Sums s{0, 0, 0};
        for (int64_t k = 0; k < chunks; ++k)
            for (int q = 0; q < 3; ++q)
                s[size_t(q)] += partial[size_t(bc * chunks + k)][size_t(q)];
        std::copy(s.begin(), s.end(), out + bc * 3);
    }
}

template <OverlapKind K>
void fusedDispatch(const at::Tensor& yPred, const at::Tensor& y, int64_t n, double* out) {
    switch (y.scalar_type()) {
    case at::kFloat:
        return fusedSums<K, float, float>(yPred, y, n, out);
    case at::kDouble:
        return fusedSums<K, double, double>(yPred, y, n, out);
    default: // uint8 and bool (one byte, 0/1)
        return fusedSums<K, uint8_t, int32_t>(yPred, y, n, out);
    }
}

/// The same sums with ATen ops (any device, dtype and layout).
at::Tensor atenSums(const at::Tensor& yPredIn, const at::Tensor& yIn, OverlapKind kind) {
    auto flat = [](const at::Tensor& t) {
        const at::Tensor v = t.reshape({t.size(0), t.size(1), -1});
        return at::isFloatingType(v.scalar_type()) ? v : v.to(at::kInt);
    };
    const at::Tensor p = flat(yPredIn), t = flat(yIn);
    auto sum = [](const at::Tensor& v) { return v.sum(-1, false, at::kDouble); };
    std::vector<at::Tensor> s;
    if (kind == OverlapKind::Dice) {
        const at::Tensor nz = p != 0;
        s = {sum(at::where(nz, t, at::zeros({}, t.options()))), sum(t), sum(nz)};
    } else if (kind == OverlapKind::IoU) {
        s = {sum(p * t), sum(t), sum(p)};
    } else {
        const at::Tensor both = p + t;
        s = {sum(both == 2), sum(both == 0), sum(t)};
    }
    return at::stack(s, -1);
}

} // namespace

bool overlapSumsFused(const at::Tensor& yPred, const at::Tensor& y) {
    return yPred.device().is_cpu() && y.device().is_cpu() &&
           yPred.scalar_type() == y.scalar_type() && fusedType(y.scalar_type()) &&
           yPred.sizes() == y.sizes() && y.dim() >= 2 && spatialDense(yPred) && spatialDense(y);
}

at::Tensor overlapSums(const at::Tensor& yPred, const at::Tensor& y, OverlapKind kind,
                       bool allowFused) {
    if (yPred.dim() < 2 || yPred.sizes() != y.sizes())
        throw std::invalid_argument("overlapSums: y_pred and y must share one (B, C, ...) shape");
    if (!allowFused || !overlapSumsFused(yPred, y))
        return atenSums(yPred, y, kind);
    int64_t n = 1;
    for (int64_t d = 2; d < y.dim(); ++d)
        n *= y.size(d);
    at::Tensor out = at::zeros({y.size(0), y.size(1), 3}, y.options().dtype(at::kDouble));
    if (out.numel() == 0 || n == 0)
        return out;
    double* o = out.data_ptr<double>();
    switch (kind) {
    case OverlapKind::Dice:
        fusedDispatch<OverlapKind::Dice>(yPred, y, n, o);
        break;
    case OverlapKind::IoU:
        fusedDispatch<OverlapKind::IoU>(yPred, y, n, o);
        break;
    case OverlapKind::Confusion:
        fusedDispatch<OverlapKind::Confusion>(yPred, y, n, o);
        break;
    }
    return out;
}

} // namespace medulla::kernels
