#include "kernels/cpu/GaussianFilter.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#ifdef MEDULLA_HAVE_CUDA_KERNELS
#include "kernels/cuda/GaussianFilterCuda.h"
#endif

namespace medulla::kernels {
namespace {

/// Horner evaluation, highest power first.
double poly(std::initializer_list<double> coef, double x) {
    double acc = 0.0;
    for (double c : coef)
        acc = acc * x + c;
    return acc;
}

// Modified Bessel functions of the first kind: the classic polynomial
// approximations (Abramowitz & Stegun 9.8.1-9.8.4) and Miller's downward
// recurrence for higher orders, the same approximations MONAI evaluates.
double besselI0(double x) {
    const double ax = std::abs(x);
    if (ax < 3.75) {
        const double y = (x / 3.75) * (x / 3.75);
        return poly({0.45813e-2, 0.360768e-1, 0.2659732, 1.2067492, 3.0899424, 3.5156229, 1.0}, y);
    }
    const double y = 3.75 / ax;
    return poly({0.392377e-2, -0.1647633e-1, 0.2635537e-1, -0.2057706e-1, 0.916281e-2, -0.157565e-2,
                 0.225319e-2, 0.1328592e-1, 0.39894228},
                y) *
           std::exp(ax) / std::sqrt(ax);
}

double besselI1(double x) {
    const double ax = std::abs(x);
    double v;
    if (ax < 3.75) {
        const double y = (x / 3.75) * (x / 3.75);
        v = ax *
            poly({0.32411e-3, 0.301532e-2, 0.2658733e-1, 0.15084934, 0.51498869, 0.87890594, 0.5},
                 y);
    } else {
        const double y = 3.75 / ax;
        v = poly({-0.420059e-2, 0.1787654e-1, -0.2895312e-1, 0.2282967e-1, -0.1031555e-1,
                  0.163801e-2, -0.362018e-2, -0.3988024e-1, 0.39894228},
                 y) *
            std::exp(ax) / std::sqrt(ax);
    }
    return x < 0 ? -v : v;
}

double besselIn(int n, double x) {
    if (x == 0.0)
        return 0.0;
    const double tox = 2.0 / std::abs(x);
    double ans = 0.0, bip = 0.0, bi = 1.0;
    const int m = 2 * (n + int(std::floor(std::sqrt(40.0 * n))));
    for (int j = m; j > 0; --j) {
        const double bim = bip + double(j) * tox * bi;
        bip = bi;
        bi = bim;
        if (std::abs(bi) > 1e10) {
            ans *= 1e-10;
            bi *= 1e-10;
            bip *= 1e-10;
        }
        if (j == n)
            ans = bip;
    }
    ans *= besselI0(x) / bi;
    return (x < 0 && (n % 2) == 1) ? -ans : ans;
}

/// One pass: (outer, n, inner) -> same, correlating the middle axis.
void correlateAxis(const float* in, float* out, int64_t outer, int64_t n, int64_t inner,
                   const std::vector<float>& taps) {
    const auto nTaps = int64_t(taps.size());
    const int64_t r = (nTaps - 1) / 2;
    const float* w = taps.data();
    if (inner == 1) {
        at::parallel_for(0, outer, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)),
                         [&](int64_t b, int64_t e) {
                             for (int64_t o = b; o < e; ++o) {
                                 const float* src = in + o * n;
                                 float* dst = out + o * n;
                                 for (int64_t i = 0; i < n; ++i) {
                                     const int64_t k0 = std::max<int64_t>(0, r - i);
                                     const int64_t k1 = std::min<int64_t>(nTaps, n - i + r);
                                     float acc = 0.f;
                                     for (int64_t k = k0; k < k1; ++k)
                                         acc += w[k] * src[i + k - r];
                                     dst[i] = acc;
                                 }
                             }
                         });
        return;
    }
    // Rows of `inner` contiguous values: vectorisable accumulation.
    at::parallel_for(0, outer * n, std::max<int64_t>(1, 4096 / inner), [&](int64_t b, int64_t e) {
        for (int64_t row = b; row < e; ++row) {
            const int64_t o = row / n, i = row % n;
            float* dst = out + row * inner;
            std::fill(dst, dst + inner, 0.f);
            const int64_t k0 = std::max<int64_t>(0, r - i);
            const int64_t k1 = std::min<int64_t>(nTaps, n - i + r);
            for (int64_t k = k0; k < k1; ++k) {
                const float wk = w[k];
                const float* src = in + (o * n + i + k - r) * inner;
                for (int64_t j = 0; j < inner; ++j)
                    dst[j] += wk * src[j];
            }
        }
    });
}

} // namespace

GaussianApprox parseGaussianApprox(const std::string& name) {
    std::string s = name;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "erf")
        return GaussianApprox::Erf;
    if (s == "sampled")
        return GaussianApprox::Sampled;
    if (s == "scalespace")
        return GaussianApprox::ScaleSpace;
    throw std::invalid_argument("unsupported approx \"" + name +
                                "\" (expected erf, sampled or scalespace)");
}

const char* gaussianApproxName(GaussianApprox approx) {
    switch (approx) {
    case GaussianApprox::Erf:
        return "erf";
    case GaussianApprox::Sampled:
        return "sampled";
    case GaussianApprox::ScaleSpace:
        return "scalespace";
    }
    return "erf";
}

std::vector<float> gaussianKernel1d(double sigma, double truncated, GaussianApprox approx,
                                    bool normalize) {
    if (!(truncated > 0.0))
        throw std::invalid_argument("truncated must be positive, got " + std::to_string(truncated));
    if (!std::isfinite(sigma))
        throw std::invalid_argument("sigma must be finite");
    // MONAI holds sigma in float32; do the same so that the tail matches.
    const double s = double(float(sigma));
    const auto tail = int64_t(std::max(s * truncated, 0.5) + 0.5);
    std::vector<double> k(size_t(2 * tail + 1));
    switch (approx) {
    case GaussianApprox::Erf: {
        const double t = 0.70710678 / std::abs(s);
        for (int64_t x = -tail; x <= tail; ++x)
            k[size_t(x + tail)] =
                std::max(0.0, 0.5 * (std::erf(t * (x + 0.5)) - std::erf(t * (x - 0.5))));
        break;
    }
    case GaussianApprox::Sampled:
        for (int64_t x = -tail; x <= tail; ++x) {
            double v = std::exp(-0.5 / (s * s) * double(x * x));
            k[size_t(x + tail)] = normalize ? v : v / (2.5066282 * s);
        }
        break;
    case GaussianApprox::ScaleSpace: {
        const double t = s * s;
        const double scale = std::exp(-t);
        for (int64_t x = 0; x <= tail; ++x) {
            const double v = x == 0 ? besselI0(t) : x == 1 ? besselI1(t) : besselIn(int(x), t);
            k[size_t(tail + x)] = k[size_t(tail - x)] = v * scale;
        }
        break;
    }
    }
    double sum = 0.0;
    for (double v : k)
        sum += v;
    std::vector<float> out(k.size());
    for (size_t i = 0; i < k.size(); ++i)
        out[i] = float(normalize ? k[i] / sum : k[i]);
    return out;
}

at::Tensor separableFilter(const at::Tensor& x, const std::vector<std::vector<float>>& kernels) {
    const int64_t nd = x.dim() - 1;
    if (nd < 1 || nd > 3)
        throw std::invalid_argument("separableFilter: expected (C, *spatial) with 1 to 3 spatial "
                                    "dims, got " +
                                    std::to_string(x.dim()) + " dims");
    if (kernels.size() != 1 && int64_t(kernels.size()) != nd)
        throw std::invalid_argument("separableFilter: " + std::to_string(kernels.size()) +
                                    " kernels for " + std::to_string(nd) + " spatial dims");
    for (const auto& k : kernels)
        if (k.empty() || k.size() % 2 == 0)
            throw std::invalid_argument("separableFilter: kernels must have an odd length");

    const at::Tensor in = x.to(at::kFloat).contiguous();
    if (!in.is_cuda() && !in.device().is_cpu())
        throw std::invalid_argument("separableFilter: tensor must be on the CPU or a CUDA device");
#ifndef MEDULLA_HAVE_CUDA_KERNELS
    if (in.is_cuda())
        throw std::runtime_error("separableFilter: CUDA tensor given but Medulla was built "
                                 "without its CUDA kernels");
#endif
    // Ping-pong between two fresh buffers; the caller's tensor is only read.
    at::Tensor buf[2] = {at::empty_like(in), nd > 1 ? at::empty_like(in) : at::Tensor()};
    const float* src = in.data_ptr<float>();
    int64_t last = 0;
    for (int64_t d = 0; d < nd; ++d) {
        const auto& k = kernels.size() == 1 ? kernels[0] : kernels[size_t(d)];
        int64_t outer = 1, inner = 1;
        for (int64_t a = 0; a <= d; ++a)
            outer *= in.size(a);
        for (int64_t a = d + 2; a <= nd; ++a)
            inner *= in.size(a);
        float* dst = buf[d % 2].data_ptr<float>();
        if (in.is_cuda()) {
#ifdef MEDULLA_HAVE_CUDA_KERNELS
            const at::Tensor taps =
                at::from_blob(const_cast<float*>(k.data()), {int64_t(k.size())}, at::kFloat)
                    .to(in.device());
            cuda::correlateAxis(src, dst, outer, in.size(d + 1), inner, taps.data_ptr<float>(),
                                int64_t(k.size()));
#endif
        } else {
            correlateAxis(src, dst, outer, in.size(d + 1), inner, k);
        }
        src = dst;
        last = d % 2;
    }
    return buf[last];
}

at::Tensor gaussianFilter(const at::Tensor& x, const std::vector<double>& sigma,
                          GaussianApprox approx, double truncated) {
    const int64_t nd = x.dim() - 1;
    if (sigma.size() != 1 && int64_t(sigma.size()) != nd)
        throw std::invalid_argument("gaussianFilter: " + std::to_string(sigma.size()) +
                                    " sigmas for " + std::to_string(nd) + " spatial dims");
    std::vector<std::vector<float>> kernels;
    for (int64_t d = 0; d < nd; ++d)
        kernels.push_back(
            gaussianKernel1d(sigma.size() == 1 ? sigma[0] : sigma[size_t(d)], truncated, approx));
    return separableFilter(x, kernels);
}

} // namespace medulla::kernels
