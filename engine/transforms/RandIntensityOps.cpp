#include "engine/transforms/RandIntensityOps.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "engine/core/Error.h"
#include "engine/transforms/IntensityOps.h"

namespace medulla {
namespace {

at::Tensor asFloat(const at::Tensor& x) {
    return x.is_floating_point() ? x : x.to(torch::kFloat);
}

/// Legendre polynomials P_0..P_degree at `t` (n,): (degree + 1, n).
at::Tensor legendre(const at::Tensor& t, int64_t degree) {
    std::vector<at::Tensor> p{torch::ones_like(t), t};
    for (int64_t n = 1; n < degree; ++n)
        p.push_back(((2.0 * n + 1.0) * t * p[n] - double(n) * p[n - 1]) / double(n + 1));
    p.resize(size_t(degree + 1));
    return torch::stack(p);
}

template <class T> std::pair<double, double> limitsOf() {
    return {double(std::numeric_limits<T>::lowest()), double(std::numeric_limits<T>::max())};
}

} // namespace

double percentile(const at::Tensor& x, double q) {
    if (x.numel() == 0)
        throw ShapeError("percentile of an empty tensor", {}, "percentile");
    if (!(q >= 0.0 && q <= 100.0))
        throw ConfigError("q must be in [0, 100]", {}, "percentile");
    const at::Tensor s = std::get<0>(x.reshape(-1).to(torch::kDouble).cpu().sort());
    const double pos = q / 100.0 * double(s.numel() - 1);
    const auto lo = int64_t(std::floor(pos));
    const int64_t hi = std::min<int64_t>(lo + 1, s.numel() - 1);
    const double a = s[lo].item<double>(), b = s[hi].item<double>();
    return a + (b - a) * (pos - double(lo));
}

at::Tensor scaleIntensityRangePercentiles(const at::Tensor& x, double lower, double upper,
                                          std::optional<double> bMin, std::optional<double> bMax,
                                          bool clip, bool relative, bool channelWise) {
    if (relative && (!bMin || !bMax))
        throw ConfigError("relative needs b_min and b_max", {},
                          "ScaleIntensityRangePercentiles.relative");
    auto one = [&](const at::Tensor& img) {
        const double aMin = percentile(img, lower), aMax = percentile(img, upper);
        std::optional<double> lo = bMin, hi = bMax;
        if (relative) {
            lo = (*bMax - *bMin) * (lower / 100.0) + *bMin;
            hi = (*bMax - *bMin) * (upper / 100.0) + *bMin;
        }
        return scaleIntensityRange(img, aMin, aMax, lo, hi, clip);
    };
    if (!channelWise)
        return one(x);
    std::vector<at::Tensor> channels;
    for (int64_t c = 0; c < x.size(0); ++c)
        channels.push_back(one(x[c]));
    return torch::stack(channels);
}

at::Tensor shiftIntensity(const at::Tensor& x, double offset, bool safe) {
    if (x.is_floating_point())
        return x + offset;
    const at::ScalarType type = x.scalar_type();
    at::Tensor out = x.to(torch::kDouble) + offset;
    if (type == at::kBool)
        return out.to(type);
    if (safe) {
        std::pair<double, double> r;
        switch (type) {
        case at::kByte:
            r = limitsOf<uint8_t>();
            break;
        case at::kChar:
            r = limitsOf<int8_t>();
            break;
        case at::kShort:
            r = limitsOf<int16_t>();
            break;
        case at::kInt:
            r = limitsOf<int32_t>();
            break;
        default:
            r = limitsOf<int64_t>();
            break;
        }
        out = out.clamp(r.first, r.second);
    }
    // Through int64 so that out-of-range values wrap as numpy's astype does.
    return out.to(torch::kLong).to(type);
}

at::Tensor adjustContrast(const at::Tensor& x, double gamma, bool invertImage, bool retainStats) {
    at::Tensor img = asFloat(x);
    if (invertImage)
        img = -img;
    at::Tensor mn, sd;
    if (retainStats) {
        mn = img.mean();
        sd = img.std();
    }
    const at::Tensor imgMin = img.min();
    const at::Tensor range = img.max() - imgMin;
    const double denom = (range + 1e-7).item<double>();
    at::Tensor ret = ((img - imgMin) / denom).pow(gamma) * range + imgMin;
    if (retainStats) {
        ret = ret - ret.mean();
        ret = ret / (ret.std() + 1e-8);
        ret = sd * ret + mn;
    }
    return invertImage ? -ret : ret;
}

at::Tensor histogramShift(const at::Tensor& x, const std::vector<double>& reference,
                          const std::vector<double>& floating) {
    if (reference.size() < 2 || reference.size() != floating.size())
        throw ShapeError("needs two equally long lists of >= 2 control points", {},
                         "RandHistogramShift");
    const at::Tensor img = asFloat(x);
    const at::Tensor imgMin = img.min(), imgMax = img.max();
    if (imgMin.item<double>() == imgMax.item<double>())
        return img;
    const auto opts = torch::TensorOptions().dtype(torch::kDouble);
    const at::Tensor span = imgMax - imgMin;
    const at::Tensor xp =
        torch::tensor(reference, opts).to(img.scalar_type()).to(img.device()) * span + imgMin;
    const at::Tensor fp =
        torch::tensor(floating, opts).to(img.scalar_type()).to(img.device()) * span + imgMin;
    const int64_t n = xp.numel();
    const at::Tensor m =
        (fp.slice(0, 1) - fp.slice(0, 0, n - 1)) / (xp.slice(0, 1) - xp.slice(0, 0, n - 1));
    const at::Tensor b = fp.slice(0, 0, n - 1) - m * xp.slice(0, 0, n - 1);
    const at::Tensor flat = img.reshape(-1);
    const at::Tensor idx = (torch::searchsorted(xp, flat) - 1).clamp(0, n - 2);
    at::Tensor f = (m.index_select(0, idx) * flat + b.index_select(0, idx)).reshape(img.sizes());
    f = torch::where(img < xp[0], fp[0], f);
    f = torch::where(img > xp[n - 1], fp[n - 1], f);
    return f;
}

int64_t biasFieldCoeffCount(int64_t degree, int64_t rank) {
    int64_t c = 1; // C(degree + rank, rank), exact
    for (int64_t k = 1; k <= rank; ++k)
        c = c * (degree + k) / k;
    return c;
}

at::Tensor biasField(const std::vector<int64_t>& spatialShape, int64_t degree,
                     const std::vector<double>& coeffs) {
    const auto rank = int64_t(spatialShape.size());
    if (rank != 2 && rank != 3)
        throw ShapeError("only 2D or 3D bias fields", {}, "RandBiasField");
    if (degree < 1)
        throw ConfigError("must be >= 1", {}, "RandBiasField.degree");
    if (int64_t(coeffs.size()) != biasFieldCoeffCount(degree, rank))
        throw ShapeError("expected " + std::to_string(biasFieldCoeffCount(degree, rank)) +
                             " coefficients, got " + std::to_string(coeffs.size()),
                         {}, "RandBiasField");
    std::vector<at::Tensor> poly; // per axis: (degree + 1, n)
    for (int64_t n : spatialShape) {
        // MONAI samples the coordinates in float32, then evaluates in float64.
        const at::Tensor t = torch::linspace(-1.0, 1.0, n, torch::kFloat).to(torch::kDouble);
        poly.push_back(legendre(t, degree));
    }
    const int64_t d1 = degree + 1;
    size_t next = 0;
    if (rank == 2) {
        at::Tensor c = torch::zeros({d1, d1}, torch::kDouble);
        auto a = c.accessor<double, 2>();
        for (int64_t i = 0; i <= degree; ++i)
            for (int64_t j = 0; j <= i; ++j)
                a[i][j] = coeffs[next++];
        return torch::einsum("ij,ia,jb->ab", {c, poly[0], poly[1]});
    }
    at::Tensor c = torch::zeros({d1, d1, d1}, torch::kDouble);
    auto a = c.accessor<double, 3>();
    for (int64_t i = 0; i <= degree; ++i)
        for (int64_t j = 0; j <= degree - i; ++j)
            for (int64_t k = 0; k <= degree - i - j; ++k)
                a[i][j][k] = coeffs[next++];
    return torch::einsum("ijk,ia,jb,kc->abc", {c, poly[0], poly[1], poly[2]});
}

} // namespace medulla
