#include "kernels/cpu/Resample.h"

#include "kernels/cpu/ResampleSampler.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/zeros.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#ifdef MEDULLA_HAVE_CUDA_KERNELS
#include "kernels/cuda/ResampleCuda.h"
#endif

namespace medulla::kernels {

namespace {

struct Geometry {
    int64_t ox, oy, oz; ///< output spatial shape viewed as 3D
};

/// Input as contiguous float/double, viewed as (C, X, Y, Z).
at::Tensor as3d(const at::Tensor& input) {
    if (input.dim() != 3 && input.dim() != 4)
        throw std::invalid_argument("resample: input must be (C, X, Y) or (C, X, Y, Z), got " +
                                    std::to_string(input.dim()) + " dimensions");
    at::Tensor t = input.scalar_type() == at::kDouble ? input : input.to(at::kFloat);
    t = t.contiguous();
    return input.dim() == 3 ? t.unsqueeze(-1) : t;
}

/// A sampler functor for fixed interpolation and padding.
template <typename T, int I, int P> struct Sampler {
    sampling::Source<T> src;
    bool align;
    void operator()(double x, double y, double z, float* out, int64_t outStride) const {
        sampling::sample<T, I, P>(src, align, x, y, z, out, outStride);
    }
};

/// Calls f(sampler) with the sampler type for the runtime options.
template <typename T, typename F>
void dispatch(const sampling::Source<T>& src, const ResampleOptions& o, F&& f) {
    auto withPadding = [&](auto interpTag) {
        constexpr int I = decltype(interpTag)::value;
        switch (o.padding) {
        case Padding::Zeros:
            return f(Sampler<T, I, sampling::kZeros>{src, o.alignCorners});
        case Padding::Border:
            return f(Sampler<T, I, sampling::kBorder>{src, o.alignCorners});
        case Padding::Reflection:
            return f(Sampler<T, I, sampling::kReflection>{src, o.alignCorners});
        }
    };
    switch (o.interp) {
    case Interp::Nearest:
        return withPadding(std::integral_constant<int, sampling::kNearest>{});
    case Interp::Linear:
        return withPadding(std::integral_constant<int, sampling::kLinear>{});
    case Interp::BSpline:
        return withPadding(std::integral_constant<int, sampling::kBSpline>{});
    }
}

/// Runs body(sampler) on a Source of the prepared input (B-spline inputs
/// are replaced by their coefficients first).
template <typename Body>
void withSource(const at::Tensor& input3d, bool is3d, const ResampleOptions& o, Body&& body) {
    at::Tensor t = input3d;
    if (o.interp == Interp::BSpline)
        t = bsplineCoefficients(input3d);
    if (t.scalar_type() == at::kDouble) {
        sampling::Source<double> s{
            t.data_ptr<double>(), t.size(0), t.size(1), t.size(2), t.size(3), is3d};
        dispatch(s, o, body);
    } else {
        sampling::Source<float> s{t.data_ptr<float>(), t.size(0), t.size(1),
                                  t.size(2),           t.size(3), is3d};
        dispatch(s, o, body);
    }
}

/// In-place cubic B-spline prefilter of `n` samples spaced `stride` apart
/// (mirror-symmetric boundary, pole sqrt(3) - 2).
void prefilterLine(double* c, int64_t n, int64_t stride) {
    if (n < 2)
        return;
    const double z = std::sqrt(3.0) - 2.0;
    for (int64_t k = 0; k < n; ++k)
        c[k * stride] *= 6.0; // (1 - z)(1 - 1/z)
    // Causal initial value for the mirror boundary.
    const int64_t horizon = std::min<int64_t>(n, 30); // |z|^30 < 1e-17
    double sum;
    if (horizon < n) {
        double zk = z;
        sum = c[0];
        for (int64_t k = 1; k < horizon; ++k, zk *= z)
            sum += zk * c[k * stride];
    } else {
        double zk = z;
        const double iz = 1.0 / z;
        double z2n = std::pow(z, double(n - 1));
        sum = c[0] + z2n * c[(n - 1) * stride];
        z2n *= z2n * iz;
        for (int64_t k = 1; k < n - 1; ++k) {
            sum += (zk + z2n) * c[k * stride];
            zk *= z;
            z2n *= iz;
        }
        sum /= 1.0 - std::pow(z, double(2 * n - 2));
    }
    c[0] = sum;
    for (int64_t k = 1; k < n; ++k)
        c[k * stride] += z * c[(k - 1) * stride];
    c[(n - 1) * stride] = (z / (z * z - 1.0)) * (z * c[(n - 2) * stride] + c[(n - 1) * stride]);
    for (int64_t k = n - 2; k >= 0; --k)
        c[k * stride] = z * (c[(k + 1) * stride] - c[k * stride]);
}

#ifdef MEDULLA_HAVE_CUDA_KERNELS
cuda::ResampleParams cudaParams(const at::Tensor& in3d, int64_t ox, int64_t oy, int64_t oz,
                                const ResampleOptions& o) {
    cuda::ResampleParams p;
    p.channels = in3d.size(0);
    p.nx = in3d.size(1);
    p.ny = in3d.size(2);
    p.nz = in3d.size(3);
    p.ox = ox;
    p.oy = oy;
    p.oz = oz;
    p.interp = static_cast<int>(o.interp);
    p.padding = static_cast<int>(o.padding);
    p.alignCorners = o.alignCorners;
    return p;
}

/// The CUDA input: contiguous float/double (B-spline: coefficients, which
/// are prefiltered on the CPU).
at::Tensor cudaInput(const at::Tensor& input, const ResampleOptions& o) {
    at::Tensor in = as3d(input);
    if (o.interp == Interp::BSpline)
        in = bsplineCoefficients(in.cpu()).to(input.device());
    return in;
}

void checkCuda(int code) {
    if (code != 0)
        throw std::runtime_error(std::string("resample (CUDA): ") + cuda::errorString(code));
}

at::Tensor resampleAffineCuda(const at::Tensor& input, int64_t ox, int64_t oy, int64_t oz,
                              const double m[4][4], const ResampleOptions& o) {
    const at::Tensor in = cudaInput(input, o);
    cuda::ResampleParams p = cudaParams(in, ox, oy, oz, o);
    p.roundHalfAway = input.dim() == 4;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
            p.m[r][c] = m[r][c];
    at::Tensor out = at::empty({in.size(0), ox, oy, oz}, in.options().dtype(at::kFloat));
    checkCuda(in.scalar_type() == at::kDouble
                  ? cuda::resampleAffineF64(in.data_ptr<double>(), out.data_ptr<float>(), p)
                  : cuda::resampleAffineF32(in.data_ptr<float>(), out.data_ptr<float>(), p));
    return out;
}

at::Tensor resampleGridCuda(const at::Tensor& input, const at::Tensor& grid,
                            const ResampleOptions& o) {
    const at::Tensor in = cudaInput(input, o);
    const at::Tensor g = grid.to(input.device(), at::kDouble).contiguous();
    const int64_t n = g.numel() / g.size(0);
    cuda::ResampleParams p = cudaParams(in, n, 1, 1, o);
    p.roundHalfAway = input.dim() == 4;
    at::Tensor out = at::empty({in.size(0), n}, in.options().dtype(at::kFloat));
    const bool twoD = input.dim() == 3;
    checkCuda(in.scalar_type() == at::kDouble
                  ? cuda::resampleGridF64(in.data_ptr<double>(), g.data_ptr<double>(),
                                          out.data_ptr<float>(), p, twoD)
                  : cuda::resampleGridF32(in.data_ptr<float>(), g.data_ptr<double>(),
                                          out.data_ptr<float>(), p, twoD));
    return out;
}
#endif

/// Per-axis taps of an axis-aligned map: output index i samples input
/// coordinate scale * i + offset on this axis (after padding).
struct AxisTaps {
    std::vector<int64_t> i0, i1; ///< tap indices, always valid for loads
    std::vector<double> w0, w1;  ///< their weights (0 for taps outside)
};

template <int P>
AxisTaps axisTaps(double scale, double offset, int64_t nOut, int64_t nIn, bool align, Interp interp,
                  bool roundAway) {
    AxisTaps t;
    t.i0.resize(size_t(nOut));
    t.i1.resize(size_t(nOut));
    t.w0.resize(size_t(nOut));
    t.w1.resize(size_t(nOut));
    for (int64_t i = 0; i < nOut; ++i) {
        const double x = sampling::pad<P>(scale * double(i) + offset, nIn, align);
        const auto k = size_t(i);
        if (interp == Interp::Nearest) {
            const auto r = static_cast<int64_t>(roundAway ? std::round(x) : std::nearbyint(x));
            const bool inside = r >= 0 && r < nIn;
            t.i0[k] = inside ? r : 0;
            t.w0[k] = inside ? 1.0 : 0.0;
            t.i1[k] = t.i0[k];
            t.w1[k] = 0.0;
        } else {
            const double f = std::floor(x);
            const auto r = static_cast<int64_t>(f);
            const double frac = x - f;
            const bool in0 = r >= 0 && r < nIn, in1 = r + 1 >= 0 && r + 1 < nIn;
            t.i0[k] = in0 ? r : 0;
            t.w0[k] = in0 ? 1.0 - frac : 0.0;
            t.i1[k] = in1 ? r + 1 : 0;
            t.w1[k] = in1 ? frac : 0.0;
        }
    }
    return t;
}

/// The common case of Spacing, Zoom-like and identity maps: no rotation or
/// shear, nearest or linear. Separable taps make it a few loads per voxel.
/// Returns false (nothing written) when the map is not axis-aligned.
template <typename T>
bool resampleSeparable(const at::Tensor& in, const double m[4][4], int64_t ox, int64_t oy,
                       int64_t oz, const ResampleOptions& o, bool roundAway, float* out) {
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            if (r != c && m[r][c] != 0.0)
                return false;
    if (o.interp == Interp::BSpline)
        return false;
    const int64_t nx = in.size(1), ny = in.size(2), nz = in.size(3), channels = in.size(0);
    auto taps = [&](int axis, int64_t nOut, int64_t nIn) {
        switch (o.padding) {
        case Padding::Zeros:
            return axisTaps<sampling::kZeros>(m[axis][axis], m[axis][3], nOut, nIn, o.alignCorners,
                                              o.interp, roundAway);
        case Padding::Border:
            return axisTaps<sampling::kBorder>(m[axis][axis], m[axis][3], nOut, nIn, o.alignCorners,
                                               o.interp, roundAway);
        default:
            return axisTaps<sampling::kReflection>(m[axis][axis], m[axis][3], nOut, nIn,
                                                   o.alignCorners, o.interp, roundAway);
        }
    };
    const AxisTaps tx = taps(0, ox, nx), ty = taps(1, oy, ny), tz = taps(2, oz, nz);
    const T* src = in.data_ptr<T>();
    const int64_t cs = nx * ny * nz, ocs = ox * oy * oz;
    at::parallel_for(0, ox * oy, 16, [&](int64_t b, int64_t e) {
        for (int64_t line = b; line < e; ++line) {
            const auto i = size_t(line / oy), j = size_t(line % oy);
            const double wxy[4] = {tx.w0[i] * ty.w0[j], tx.w0[i] * ty.w1[j], tx.w1[i] * ty.w0[j],
                                   tx.w1[i] * ty.w1[j]};
            const int64_t rows[4] = {
                (tx.i0[i] * ny + ty.i0[j]) * nz, (tx.i0[i] * ny + ty.i1[j]) * nz,
                (tx.i1[i] * ny + ty.i0[j]) * nz, (tx.i1[i] * ny + ty.i1[j]) * nz};
            for (int64_t c = 0; c < channels; ++c) {
                const T* sc = src + c * cs;
                float* dst = out + c * ocs + line * oz;
                for (int64_t k = 0; k < oz; ++k) {
                    const auto kk = size_t(k);
                    const int64_t z0 = tz.i0[kk], z1 = tz.i1[kk];
                    const double a = tz.w0[kk], bw = tz.w1[kk];
                    double acc = 0;
                    for (int r = 0; r < 4; ++r)
                        if (wxy[r] != 0.0)
                            acc += wxy[r] * ((a != 0.0 ? a * double(sc[rows[r] + z0]) : 0.0) +
                                             (bw != 0.0 ? bw * double(sc[rows[r] + z1]) : 0.0));
                    dst[k] = float(acc);
                }
            }
        }
    });
    return true;
}

} // namespace

at::Tensor bsplineCoefficients(const at::Tensor& input) {
    at::Tensor c = input.to(at::kDouble).contiguous().clone();
    const int64_t dims = c.dim() - 1;
    const auto sizes = c.sizes().vec();
    double* p = c.data_ptr<double>();
    for (int64_t axis = 1; axis <= dims; ++axis) {
        int64_t stride = 1;
        for (int64_t d = axis + 1; d <= dims; ++d)
            stride *= sizes[size_t(d)];
        const int64_t n = sizes[size_t(axis)];
        const int64_t total = c.numel() / n; // lines along this axis
        at::parallel_for(0, total, 256, [&](int64_t b, int64_t e) {
            for (int64_t line = b; line < e; ++line) {
                const int64_t outer = line / stride, inner = line % stride;
                prefilterLine(p + outer * n * stride + inner, n, stride);
            }
        });
    }
    return c;
}

at::Tensor resampleAffine(const at::Tensor& input, const std::vector<int64_t>& outShape,
                          const std::vector<double>& indexMap, const ResampleOptions& options) {
    const int64_t dims = input.dim() - 1;
    if (int64_t(outShape.size()) != dims)
        throw std::invalid_argument("resample: output shape has " +
                                    std::to_string(outShape.size()) + " axes, input has " +
                                    std::to_string(dims));
    if (int64_t(indexMap.size()) != (dims + 1) * (dims + 1))
        throw std::invalid_argument("resample: index map must be " + std::to_string(dims + 1) +
                                    "x" + std::to_string(dims + 1));
    for (int64_t s : outShape)
        if (s <= 0)
            throw std::invalid_argument("resample: output sizes must be positive");
    // Promote to a 4x4 map on 3D geometry (2D: z row/column identity).
    double m[4][4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
    if (dims == 3) {
        for (int r = 0; r < 4; ++r)
            for (int k = 0; k < 4; ++k)
                m[r][k] = indexMap[size_t(r * 4 + k)];
    } else {
        const int idx[3] = {0, 1, 3};
        for (int r = 0; r < 3; ++r)
            for (int k = 0; k < 3; ++k)
                m[idx[r]][idx[k]] = indexMap[size_t(r * 3 + k)];
        m[2][2] = 1; // z stays 0 in a 2D image
    }
    if (input.is_cuda()) {
#ifdef MEDULLA_HAVE_CUDA_KERNELS
        const at::Tensor out = resampleAffineCuda(input, outShape[0], outShape[1],
                                                  dims == 3 ? outShape[2] : 1, m, options);
        std::vector<int64_t> shape{out.size(0)};
        shape.insert(shape.end(), outShape.begin(), outShape.end());
        return out.view(shape);
#else
        throw std::runtime_error("resample: this build has no CUDA kernels");
#endif
    }
    const at::Tensor in = as3d(input);
    const Geometry g{outShape[0], outShape[1], dims == 3 ? outShape[2] : 1};
    at::Tensor out = at::empty({in.size(0), g.ox, g.oy, g.oz}, in.options().dtype(at::kFloat));
    float* o = out.data_ptr<float>();
    const int64_t outStride = g.ox * g.oy * g.oz;
    const bool fast =
        in.scalar_type() == at::kDouble
            ? resampleSeparable<double>(in, m, g.ox, g.oy, g.oz, options, input.dim() == 4, o)
            : resampleSeparable<float>(in, m, g.ox, g.oy, g.oz, options, input.dim() == 4, o);
    if (!fast)
        withSource(in, input.dim() == 4, options, [&](const auto& sampler) {
            at::parallel_for(0, g.ox * g.oy, 16, [&](int64_t b, int64_t e) {
                for (int64_t line = b; line < e; ++line) {
                    const auto i = double(line / g.oy), j = double(line % g.oy);
                    const double bx = m[0][0] * i + m[0][1] * j + m[0][3];
                    const double by = m[1][0] * i + m[1][1] * j + m[1][3];
                    const double bz = m[2][0] * i + m[2][1] * j + m[2][3];
                    float* dst = o + line * g.oz;
                    for (int64_t k = 0; k < g.oz; ++k) {
                        const auto kk = double(k);
                        sampler(bx + m[0][2] * kk, by + m[1][2] * kk, bz + m[2][2] * kk, dst + k,
                                outStride);
                    }
                }
            });
        });
    std::vector<int64_t> shape{in.size(0)};
    shape.insert(shape.end(), outShape.begin(), outShape.end());
    return out.view(shape);
}

at::Tensor resampleGrid(const at::Tensor& input, const at::Tensor& grid,
                        const ResampleOptions& options) {
    const int64_t dims = input.dim() - 1;
    if (grid.dim() != dims + 1 || grid.size(0) != dims)
        throw std::invalid_argument("resample: grid must be (" + std::to_string(dims) +
                                    ", *spatial) for a " + std::to_string(dims) + "D image");
    std::vector<int64_t> outShape(grid.sizes().begin() + 1, grid.sizes().end());
    if (input.is_cuda()) {
#ifdef MEDULLA_HAVE_CUDA_KERNELS
        std::vector<int64_t> shape{input.size(0)};
        shape.insert(shape.end(), outShape.begin(), outShape.end());
        return resampleGridCuda(input, grid, options).view(shape);
#else
        throw std::runtime_error("resample: this build has no CUDA kernels");
#endif
    }
    const at::Tensor in = as3d(input);
    const at::Tensor gd = grid.to(at::kDouble).contiguous();
    const double* gp = gd.data_ptr<double>();
    const int64_t n = gd.numel() / dims;
    at::Tensor out = at::empty({in.size(0), n}, in.options().dtype(at::kFloat));
    float* o = out.data_ptr<float>();
    withSource(in, input.dim() == 4, options, [&](const auto& sampler) {
        at::parallel_for(0, n, 4096, [&](int64_t b, int64_t e) {
            for (int64_t v = b; v < e; ++v)
                sampler(gp[v], gp[n + v], dims == 3 ? gp[2 * n + v] : 0.0, o + v, n);
        });
    });
    std::vector<int64_t> shape{in.size(0)};
    shape.insert(shape.end(), outShape.begin(), outShape.end());
    return out.view(shape);
}

} // namespace medulla::kernels
