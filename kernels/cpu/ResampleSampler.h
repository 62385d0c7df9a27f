#pragma once
/// The per-point sampling rule of the resampling kernels, shared by the CPU
/// code (Resample.cpp) and the CUDA code (cuda/Resample.cu): one definition
/// of the padding and interpolation semantics for both. No LibTorch here,
/// so nvcc can compile it. Semantics are documented in Resample.h.

#include <math.h>
#include <stdint.h>

#ifdef __CUDACC__
#define MEDULLA_HD __host__ __device__ __forceinline__
#else
#define MEDULLA_HD inline
#endif

namespace medulla::kernels::sampling {

enum InterpCode { kNearest = 0, kLinear = 1, kBSpline = 2 };
enum PaddingCode { kZeros = 0, kBorder = 1, kReflection = 2 };

/// torch's reflect_coordinates: mirror x into [twiceLow/2, twiceHigh/2].
MEDULLA_HD double reflect(double x, double twiceLow, double twiceHigh) {
    if (twiceLow == twiceHigh)
        return 0.0;
    const double lo = twiceLow / 2, span = (twiceHigh - twiceLow) / 2;
    x = fabs(x - lo);
    const double extra = fmod(x, span);
    const auto flips = static_cast<int64_t>(floor(x / span));
    return flips % 2 == 0 ? extra + lo : span - extra + lo;
}

MEDULLA_HD double clampCoord(double x, int64_t n) {
    const double hi = static_cast<double>(n - 1);
    return x < 0.0 ? 0.0 : (x > hi ? hi : x);
}

template <int P> MEDULLA_HD double pad(double x, int64_t n, bool align) {
    if (P == kBorder)
        return clampCoord(x, n);
    if (P == kReflection) {
        x = align ? reflect(x, 0, 2.0 * double(n - 1)) : reflect(x, -1, 2.0 * double(n) - 1);
        return clampCoord(x, n);
    }
    return x;
}

/// Mirror an integer tap index into [0, n).
MEDULLA_HD int64_t mirror(int64_t i, int64_t n) {
    if (n == 1)
        return 0;
    const int64_t period = 2 * (n - 1);
    i = (i < 0 ? -i : i) % period;
    return i < n ? i : period - i;
}

/// Cubic B-spline weights of the four taps floor(x)-1 .. floor(x)+2.
MEDULLA_HD void bsplineWeights(double t, double w[4]) {
    const double t2 = t * t, t3 = t2 * t, u = 1 - t;
    w[0] = u * u * u / 6.0;
    w[1] = (3 * t3 - 6 * t2 + 4) / 6.0;
    w[2] = (-3 * t3 + 3 * t2 + 3 * t + 1) / 6.0;
    w[3] = t3 / 6.0;
}

/// A channel-first volume viewed as 3D (2D inputs get a trailing axis of 1).
template <typename T> struct Source {
    const T* data;
    int64_t channels, nx, ny, nz;
    /// Nearest rounds halves away from zero (torch's 3D grid_sample) instead
    /// of to even (its 2D kernel).
    bool roundHalfAway = false;
    MEDULLA_HD int64_t channelStride() const { return nx * ny * nz; }
    MEDULLA_HD T at(int64_t c, int64_t x, int64_t y, int64_t z) const {
        return data[c * channelStride() + (x * ny + y) * nz + z];
    }
};

/// Samples every channel of `src` at (x, y, z) into out[c * outStride].
template <typename T, int I, int P>
MEDULLA_HD void sample(const Source<T>& src, bool align, double x, double y, double z, float* out,
                       int64_t outStride) {
    x = pad<P>(x, src.nx, align);
    y = pad<P>(y, src.ny, align);
    z = pad<P>(z, src.nz, align);
    if (I == kNearest) {
        const bool away = src.roundHalfAway;
        const auto ix = static_cast<int64_t>(away ? round(x) : nearbyint(x));
        const auto iy = static_cast<int64_t>(away ? round(y) : nearbyint(y));
        const auto iz = static_cast<int64_t>(away ? round(z) : nearbyint(z));
        const bool inside =
            ix >= 0 && ix < src.nx && iy >= 0 && iy < src.ny && iz >= 0 && iz < src.nz;
        for (int64_t c = 0; c < src.channels; ++c)
            out[c * outStride] = inside ? static_cast<float>(src.at(c, ix, iy, iz)) : 0.0f;
    } else if (I == kLinear) {
        const double fx0 = floor(x), fy0 = floor(y), fz0 = floor(z);
        const auto x0 = static_cast<int64_t>(fx0), y0 = static_cast<int64_t>(fy0),
                   z0 = static_cast<int64_t>(fz0);
        const double tx = x - fx0, ty = y - fy0, tz = z - fz0;
        double w[8];
        int64_t off[8];
        int k = 0;
        for (int dx = 0; dx < 2; ++dx)
            for (int dy = 0; dy < 2; ++dy)
                for (int dz = 0; dz < 2; ++dz) {
                    const int64_t ix = x0 + dx, iy = y0 + dy, iz = z0 + dz;
                    const double wt = (dx ? tx : 1 - tx) * (dy ? ty : 1 - ty) * (dz ? tz : 1 - tz);
                    if (wt == 0.0 || ix < 0 || ix >= src.nx || iy < 0 || iy >= src.ny || iz < 0 ||
                        iz >= src.nz)
                        continue;
                    w[k] = wt;
                    off[k++] = (ix * src.ny + iy) * src.nz + iz;
                }
        const int64_t cs = src.channelStride();
        for (int64_t c = 0; c < src.channels; ++c) {
            const T* d = src.data + c * cs;
            double acc = 0;
            for (int i = 0; i < k; ++i)
                acc += w[i] * static_cast<double>(d[off[i]]);
            out[c * outStride] = static_cast<float>(acc);
        }
    } else {
        if (x < -0.5 || x > double(src.nx) - 0.5 || y < -0.5 || y > double(src.ny) - 0.5 ||
            z < -0.5 || z > double(src.nz) - 0.5) {
            for (int64_t c = 0; c < src.channels; ++c)
                out[c * outStride] = 0.0f; // only reachable with zeros padding
            return;
        }
        const double fx = floor(x), fy = floor(y), fz = floor(z);
        double wx[4], wy[4], wz[4];
        bsplineWeights(x - fx, wx);
        bsplineWeights(y - fy, wy);
        bsplineWeights(z - fz, wz);
        int64_t ix[4], iy[4], iz[4];
        for (int i = 0; i < 4; ++i) {
            ix[i] = mirror(static_cast<int64_t>(fx) - 1 + i, src.nx);
            iy[i] = mirror(static_cast<int64_t>(fy) - 1 + i, src.ny);
            iz[i] = mirror(static_cast<int64_t>(fz) - 1 + i, src.nz);
        }
        for (int64_t c = 0; c < src.channels; ++c) {
            double acc = 0;
            for (int a = 0; a < 4; ++a)
                for (int b = 0; b < 4; ++b) {
                    double line = 0;
                    for (int e = 0; e < 4; ++e)
                        line += wz[e] * static_cast<double>(src.at(c, ix[a], iy[b], iz[e]));
                    acc += wx[a] * wy[b] * line;
                }
            out[c * outStride] = static_cast<float>(acc);
        }
    }
}

} // namespace medulla::kernels::sampling
