#include "kernels/cpu/DistanceTransform.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#ifdef MEDULLA_HAVE_CUDA_KERNELS
#include "kernels/cuda/DistanceTransformCuda.h"
#endif

namespace medulla::kernels {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// (outer, n, inner) view of one pass.
struct Pass {
    int64_t outer = 1, n = 1, inner = 1;
};

void passCpu(double* data, const Pass& p, double spacing) {
    const int64_t lines = p.outer * p.inner;
    at::parallel_for(0, lines, std::max<int64_t>(1, 2048 / std::max<int64_t>(p.n, 1)),
                     [&](int64_t b, int64_t e) {
                         std::vector<double> f(size_t(p.n)), out(size_t(p.n)), z(size_t(p.n) + 1);
                         std::vector<int64_t> v(size_t(p.n));
                         for (int64_t l = b; l < e; ++l) {
                             const int64_t o = l / p.inner, j = l % p.inner;
                             double* base = data + o * p.n * p.inner + j;
                             for (int64_t i = 0; i < p.n; ++i)
                                 f[size_t(i)] = base[i * p.inner];
                             lowerEnvelope1d(f.data(), out.data(), p.n, spacing, v.data(),
                                             z.data());
                             for (int64_t i = 0; i < p.n; ++i)
                                 base[i * p.inner] = out[size_t(i)];
                         }
                     });
}

at::Tensor squaredEdt(const at::Tensor& mask, const std::vector<double>& spacing, int spatialDims) {
    const int nd = spatialDims == 0 ? int(mask.dim()) : spatialDims;
    if (nd < 1 || nd > 3 || nd > mask.dim())
        throw std::invalid_argument("distanceTransformEdt: expected 1 to 3 spatial dims, got " +
                                    std::to_string(nd) + " of a " + std::to_string(mask.dim()) +
                                    "-dim tensor");
    if (!spacing.empty() && spacing.size() != 1 && int(spacing.size()) != nd)
        throw std::invalid_argument("distanceTransformEdt: " + std::to_string(spacing.size()) +
                                    " spacings for " + std::to_string(nd) + " spatial dims");
    for (double s : spacing)
        if (!(s > 0) || !std::isfinite(s))
            throw std::invalid_argument("distanceTransformEdt: spacing must be positive, got " +
                                        std::to_string(s));
    if (!mask.device().is_cpu() && !mask.is_cuda())
        throw std::invalid_argument("distanceTransformEdt: tensor must be on the CPU or CUDA");
#ifndef MEDULLA_HAVE_CUDA_KERNELS
    if (mask.is_cuda())
        throw std::runtime_error("distanceTransformEdt: CUDA tensor given but Medulla was built "
                                 "without its CUDA kernels");
#endif
    // Zero voxels are the sites (0), foreground starts unreachable (+inf).
    at::Tensor d = at::where(mask.ne(0), at::full({}, kInf, mask.options().dtype(at::kDouble)),
                             at::zeros({}, mask.options().dtype(at::kDouble)))
                       .contiguous();
    if (d.numel() == 0)
        return d;
    const int64_t first = mask.dim() - nd;
    for (int a = 0; a < nd; ++a) {
        Pass p;
        for (int64_t k = 0; k < first + a; ++k)
            p.outer *= d.size(k);
        p.n = d.size(first + a);
        for (int64_t k = first + a + 1; k < d.dim(); ++k)
            p.inner *= d.size(k);
        const double s = spacing.empty()       ? 1.0
                         : spacing.size() == 1 ? spacing[0]
                                               : spacing[size_t(a)];
        if (d.is_cuda()) {
#ifdef MEDULLA_HAVE_CUDA_KERNELS
            const int64_t lines = p.outer * p.inner;
            const int64_t chunk =
                std::min<int64_t>(lines, std::max<int64_t>(1, (int64_t(1) << 24) / p.n));
            at::Tensor v = at::empty({chunk * p.n}, d.options().dtype(at::kLong));
            at::Tensor z = at::empty({chunk * (p.n + 1)}, d.options());
            at::Tensor f = at::empty({chunk * p.n}, d.options());
            cuda::edtPass(d.data_ptr<double>(), p.outer, p.n, p.inner, s, f.data_ptr<double>(),
                          v.data_ptr<int64_t>(), z.data_ptr<double>(), chunk);
#endif
        } else {
            passCpu(d.data_ptr<double>(), p, s);
        }
    }
    return d;
}

} // namespace

void lowerEnvelope1d(const double* f, double* out, int64_t n, double spacing, int64_t* v,
                     double* z) {
    int64_t k = -1;
    for (int64_t q = 0; q < n; ++q) {
        if (!(f[q] < kInf))
            continue;
        const double fq = f[q] + (q * spacing) * (q * spacing);
        double s = -kInf;
        while (k >= 0) {
            const int64_t p = v[k];
            s = (fq - (f[p] + (p * spacing) * (p * spacing))) / (2.0 * spacing * double(q - p));
            if (s > z[k])
                break;
            --k;
        }
        if (k < 0)
            s = -kInf;
        ++k;
        v[k] = q;
        z[k] = s;
        z[k + 1] = kInf;
    }
    if (k < 0) {
        for (int64_t i = 0; i < n; ++i)
            out[i] = kInf;
        return;
    }
    int64_t j = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double x = i * spacing;
        while (z[j + 1] < x)
            ++j;
        const double dx = x - v[j] * spacing;
        out[i] = dx * dx + f[v[j]];
    }
}

at::Tensor squaredDistanceTransformEdt(const at::Tensor& mask, const std::vector<double>& spacing,
                                       int spatialDims) {
    return squaredEdt(mask, spacing, spatialDims);
}

at::Tensor distanceTransformEdt(const at::Tensor& mask, const std::vector<double>& spacing,
                                int spatialDims) {
    return squaredEdt(mask, spacing, spatialDims).sqrt_();
}

} // namespace medulla::kernels
