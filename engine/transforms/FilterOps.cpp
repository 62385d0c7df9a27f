#include "engine/transforms/FilterOps.h"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>

#include "engine/core/Error.h"
#include "kernels/cpu/GaussianFilter.h"

namespace medulla {
namespace {

kernels::GaussianApprox approxOf(const std::string& approx, const std::string& op) {
    try {
        return kernels::parseGaussianApprox(approx);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(e.what(), {}, op + ".approx");
    }
}

/// sigma >= 0 (0 is the identity for "erf" and "scalespace", as in MONAI;
/// "sampled" divides by sigma and needs > 0).
void checkSigma(const at::Tensor& x, const std::vector<double>& sigma, const std::string& op,
                const std::string& name, kernels::GaussianApprox approx) {
    const int64_t nd = x.dim() - 1;
    if (nd < 1 || nd > 3)
        throw ShapeError(op + ": expected (C, *spatial) with 1 to 3 spatial dims, got " +
                         std::to_string(x.dim()) + " dims");
    if (sigma.size() != 1 && int64_t(sigma.size()) != nd)
        throw ConfigError("needs one value or one per spatial dim (" + std::to_string(nd) +
                              "), got " + std::to_string(sigma.size()),
                          {}, op + "." + name);
    for (double s : sigma)
        if (!(s >= 0.0) || !std::isfinite(s) ||
            (s == 0.0 && approx == kernels::GaussianApprox::Sampled))
            throw ConfigError("must be positive, got " + std::to_string(s), {}, op + "." + name);
}

} // namespace

at::Tensor gaussianSmooth(const at::Tensor& x, const std::vector<double>& sigma,
                          const std::string& approx) {
    const auto a = approxOf(approx, "GaussianSmooth");
    checkSigma(x, sigma, "GaussianSmooth", "sigma", a);
    return kernels::gaussianFilter(x, sigma, a);
}

at::Tensor gaussianSharpen(const at::Tensor& x, const std::vector<double>& sigma1,
                           const std::vector<double>& sigma2, double alpha,
                           const std::string& approx) {
    const auto a = approxOf(approx, "GaussianSharpen");
    checkSigma(x, sigma1, "GaussianSharpen", "sigma1", a);
    checkSigma(x, sigma2, "GaussianSharpen", "sigma2", a);
    const at::Tensor blurred = kernels::gaussianFilter(x, sigma1, a);
    const at::Tensor twice = kernels::gaussianFilter(blurred, sigma2, a);
    return blurred + float(alpha) * (blurred - twice);
}

at::Tensor labelToContour(const at::Tensor& x, const std::string& kernelType) {
    if (kernelType != "Laplace")
        throw ConfigError("only \"Laplace\" is supported, got \"" + kernelType + "\"", {},
                          "LabelToContour.kernel_type");
    const int64_t nd = x.dim() - 1;
    if (nd != 2 && nd != 3)
        throw ShapeError("LabelToContour: expected (C, H, W[, D]), got " + std::to_string(x.dim()) +
                         " dims");
    // Laplace kernel = (3^d) * centre tap - box of ones: an exact box sum
    // through the separable filter, then the centre term.
    const at::Tensor xf = x.to(at::kFloat);
    const at::Tensor box = kernels::separableFilter(xf, {{1.f, 1.f, 1.f}});
    const float centre = nd == 2 ? 9.f : 27.f;
    return (centre * xf - box).clamp_(0.0, 1.0).to(x.scalar_type());
}

} // namespace medulla
