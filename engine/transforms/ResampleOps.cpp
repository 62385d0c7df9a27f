#include "engine/transforms/ResampleOps.h"

#include <torch/nn/functional/pooling.h>
#include <torch/nn/functional/upsampling.h>

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/core/Strings.h"
#include "engine/transforms/CropPadOps.h"
#include "kernels/cpu/GaussianFilter.h"

namespace medulla {

namespace {

void checkRank(const Volume& v, const std::string& context) {
    if (!v.isValid())
        throw ShapeError("no image", {}, context);
}

/// One value per axis from 1 value (repeated) or d values.
template <class T>
std::vector<T> perAxis(std::vector<T> values, size_t d, const std::string& context,
                       bool repeatLast = false) {
    if (values.size() == 1 || (repeatLast && !values.empty() && values.size() < d))
        values.resize(d, values.back());
    if (values.size() < d)
        throw ConfigError("expected 1 or " + std::to_string(d) + " values, got " +
                              std::to_string(values.size()),
                          {}, context);
    values.resize(d);
    return values;
}

/// grid_sample's align_corners applied to a pixel-space map as MONAI's
/// AffineTransform(normalized=False) does: the map is normalised with
/// align_corners=False and sampled with the requested convention.
MatrixN gridSampleMap(const MatrixN& map, const std::vector<int64_t>& in,
                      const std::vector<int64_t>& out, bool alignCorners) {
    if (!alignCorners)
        return map;
    const size_t d = in.size();
    std::vector<double> ds(d), dt(d, -0.5), ss(d), st(d);
    for (size_t i = 0; i < d; ++i) {
        const double m = double(out[i]), mm = std::max(m, 2.0);
        ds[i] = m / (mm - 1.0);
        const double n = double(in[i]);
        ss[i] = (n - 1.0) / n;
        st[i] = 0.5 * (n - 1.0) / n;
    }
    return MatrixN::translation(st) * MatrixN::scaling(ss) * map * MatrixN::translation(dt) *
           MatrixN::scaling(ds);
}

/// Sample through a map that is already in grid_sample's convention.
Volume sampleWith(const Volume& v, const MatrixN& sampling, const MatrixN& nominal,
                  const std::vector<int64_t>& outShape, const GridMode& mode) {
    kernels::ResampleOptions o{mode.interp, mode.padding, mode.alignCorners};
    at::Tensor out = kernels::resampleAffine(v.data(), outShape, sampling.values(), o);
    return Volume(out, nominal.appliedTo(v.affine()));
}

/// MONAI's scale_affine(in, out, centered=True): out index -> in index of
/// a grid that keeps the field of view.
MatrixN fovScale(const std::vector<int64_t>& in, const std::vector<int64_t>& out) {
    std::vector<double> s(in.size()), t(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        s[i] = double(in[i]) / double(std::max<int64_t>(out[i], 1));
        t[i] = (s[i] - 1.0) / 2.0;
    }
    return MatrixN::translation(t) * MatrixN::scaling(s);
}

torch::nn::functional::InterpolateFuncOptions::mode_t
interpolateMode(const std::string& mode, size_t d, const std::string& context) {
    const std::string m = toLower(mode);
    if (m == "nearest")
        return torch::kNearest;
    if (m == "nearest-exact")
        return torch::kNearestExact;
    if (m == "linear" || m == "bilinear" || m == "trilinear") {
        if (d == 2)
            return torch::kBilinear;
        return torch::kTrilinear;
    }
    if (m == "bicubic" && d == 2)
        return torch::kBicubic;
    if (m == "area")
        return torch::kArea;
    throw ConfigError("unknown interpolation mode \"" + mode +
                          "\" (nearest, nearest-exact, linear, bilinear, trilinear, bicubic, area)",
                      {}, context);
}

/// torch.nn.functional.interpolate of a channel-first volume to `size`.
at::Tensor interpolate(const at::Tensor& data, const std::vector<int64_t>& size,
                       const std::string& mode, std::optional<bool> alignCorners,
                       const std::string& context) {
    namespace F = torch::nn::functional;
    auto options =
        F::InterpolateFuncOptions().size(size).mode(interpolateMode(mode, size.size(), context));
    const bool linear = toLower(mode).find("linear") != std::string::npos || mode == "bicubic";
    if (linear) // torch's default (false), said explicitly to silence its warning
        options.align_corners(alignCorners.value_or(false));
    return F::interpolate(data.unsqueeze(0), options).squeeze(0);
}

} // namespace

kernels::Interp parseInterp(const std::string& mode, const std::string& context) {
    const std::string m = toLower(mode);
    if (m == "nearest" || m == "0")
        return kernels::Interp::Nearest;
    if (m == "bilinear" || m == "linear" || m == "trilinear" || m == "1")
        return kernels::Interp::Linear;
    if (m == "bspline" || m == "3")
        return kernels::Interp::BSpline;
    throw ConfigError("unknown interpolation mode \"" + mode + "\" (nearest, bilinear, bspline)",
                      {}, context);
}

kernels::Padding parsePadding(const std::string& mode, const std::string& context) {
    const std::string m = toLower(mode);
    if (m == "zeros")
        return kernels::Padding::Zeros;
    if (m == "border")
        return kernels::Padding::Border;
    if (m == "reflection")
        return kernels::Padding::Reflection;
    throw ConfigError("unknown padding mode \"" + mode + "\" (zeros, border, reflection)", {},
                      context);
}

std::optional<bool> parseOptionalBool(const std::string& value, const std::string& field) {
    if (value == "none" || value.empty())
        return std::nullopt;
    if (value == "true")
        return true;
    if (value == "false")
        return false;
    throw ConfigError("expected \"none\", \"true\" or \"false\", got \"" + value + "\"", {}, field);
}

std::vector<std::string> interpChoices() {
    return {"bilinear", "nearest", "bspline"};
}
std::vector<std::string> paddingChoices() {
    return {"border", "zeros", "reflection"};
}
std::vector<std::string> interpolateChoices() {
    return {"area", "nearest", "nearest-exact", "linear", "bilinear", "trilinear", "bicubic"};
}

Volume resampleIndexMap(const Volume& v, const MatrixN& map, const std::vector<int64_t>& outShape,
                        const GridMode& mode) {
    return sampleWith(v, gridSampleMap(map, v.spatialShape(), outShape, mode.alignCorners), map,
                      outShape, mode);
}

Volume resampleToGrid(const Volume& v, const std::vector<int64_t>& shape, const Affine& affine,
                      const GridMode& mode) {
    const size_t d = size_t(v.spatialDims());
    if (shape.size() != d)
        throw ShapeError("target grid has " + std::to_string(shape.size()) + " axes, image has " +
                             std::to_string(d),
                         {}, "resample");
    const MatrixN map =
        MatrixN::fromAffine(v.affine(), d).inverse() * MatrixN::fromAffine(affine, d);
    Volume out = sampleWith(v, map, map, shape, mode);
    out.setAffine(affine);
    return out;
}

Volume resizeVolume(const Volume& v, const std::vector<int64_t>& size, const std::string& sizeMode,
                    const std::string& mode, std::optional<bool> alignCorners, bool antiAliasing,
                    const std::vector<double>& antiAliasingSigma, const std::string& context) {
    checkRank(v, context);
    const std::vector<int64_t> in = v.spatialShape();
    const size_t d = in.size();
    std::vector<int64_t> out;
    if (toLower(sizeMode) == "longest") {
        if (size.size() != 1 || size[0] <= 0)
            throw ConfigError("size_mode \"longest\" needs one positive spatial_size", {},
                              context + ".spatial_size");
        const double scale = double(size[0]) / double(*std::max_element(in.begin(), in.end()));
        for (int64_t s : in)
            out.push_back(int64_t(std::nearbyint(double(s) * scale)));
    } else if (toLower(sizeMode) == "all") {
        out = perAxis(size, d, context + ".spatial_size");
        for (size_t i = 0; i < d; ++i)
            if (out[i] <= 0)
                out[i] = in[i];
    } else {
        throw ConfigError("size_mode must be \"all\" or \"longest\", got \"" + sizeMode + "\"", {},
                          context + ".size_mode");
    }
    (void)interpolateMode(mode, d, context + ".mode");
    const MatrixN xform = fovScale(in, out);
    if (out == in)
        return Volume(v.data().to(at::kFloat), v.affine());
    at::Tensor data = v.data().to(at::kFloat);
    if (antiAliasing) {
        std::vector<double> sigma(d, 0.0);
        for (size_t i = 0; i < d; ++i) {
            const double factor = double(in[i]) / double(out[i]);
            if (antiAliasingSigma.empty())
                sigma[i] = std::max(0.0, (factor - 1.0) / 2.0);
            else
                sigma[i] = perAxis(antiAliasingSigma, d, context + ".anti_aliasing_sigma")[i] *
                           (factor > 1 ? 1.0 : 0.0);
        }
        std::vector<std::vector<float>> taps(d);
        for (size_t i = 0; i < d; ++i)
            taps[i] = sigma[i] > 0 ? kernels::gaussianKernel1d(sigma[i]) : std::vector<float>{1.0f};
        data = kernels::separableFilter(data, taps);
    }
    return Volume(interpolate(data, out, mode, alignCorners, context + ".mode"),
                  xform.appliedTo(v.affine()));
}

Volume zoomVolume(const Volume& v, const std::vector<double>& zoom, const std::string& mode,
                  const std::string& paddingMode, std::optional<bool> alignCorners, bool keepSize,
                  const std::string& context) {
    checkRank(v, context);
    const std::vector<int64_t> in = v.spatialShape();
    const size_t d = in.size();
    const std::vector<double> z = perAxis(zoom, d, context + ".zoom");
    std::vector<int64_t> out(d);
    for (size_t i = 0; i < d; ++i) {
        if (!(z[i] > 0))
            throw ConfigError("zoom factors must be positive", {}, context + ".zoom");
        out[i] = int64_t(std::floor(double(in[i]) * z[i]));
        if (out[i] < 1)
            throw ConfigError("zoom factor " + std::to_string(z[i]) + " leaves no voxel on axis " +
                                  std::to_string(i),
                              {}, context + ".zoom");
    }
    Volume zoomed(interpolate(v.data().to(at::kFloat), out, mode, alignCorners, context + ".mode"),
                  fovScale(in, out).appliedTo(v.affine()));
    if (!keepSize || out == in)
        return zoomed;
    Volume padded = padVolume(zoomed, in, "symmetric", paddingMode, 0.0, context + ".padding_mode");
    return centerCropVolume(padded, in);
}

Volume rotateVolume(const Volume& v, const std::vector<double>& angle, bool keepSize,
                    const GridMode& mode, const std::string& context) {
    checkRank(v, context);
    const std::vector<int64_t> in = v.spatialShape();
    const size_t d = in.size();
    AffineParams p;
    p.rotate = perAxis(angle, d == 2 ? 1 : 3, context + ".angle");
    const MatrixN r = affineMatrix(d, p, context);
    std::vector<int64_t> out = in;
    if (!keepSize) {
        for (size_t i = 0; i < d; ++i) {
            double lo = INFINITY, hi = -INFINITY;
            for (size_t corner = 0; corner < (size_t(1) << d); ++corner) {
                double x = 0;
                for (size_t k = 0; k < d; ++k)
                    x += r(i, k) * ((corner >> (d - 1 - k)) & 1 ? double(in[k]) : 0.0);
                lo = std::min(lo, x);
                hi = std::max(hi, x);
            }
            out[i] = int64_t(hi - lo + 0.5);
        }
    }
    std::vector<double> c(d), co(d);
    for (size_t i = 0; i < d; ++i) {
        c[i] = (double(in[i]) - 1) / 2;
        co[i] = -(double(out[i]) - 1) / 2;
    }
    const MatrixN map = MatrixN::translation(c) * r * MatrixN::translation(co);
    return resampleIndexMap(v, map, out, mode);
}

MatrixN affineMatrix(size_t d, const AffineParams& p, const std::string& context) {
    MatrixN m(d + 1);
    if (!p.rotate.empty()) {
        const std::vector<double> a =
            perAxis(p.rotate, d == 2 ? 1 : 3, context + ".rotate_params", true);
        auto rot = [&](size_t i, size_t j, double angle, bool transposed) {
            MatrixN r(d + 1);
            const double s = std::sin(angle), c = std::cos(angle);
            r(i, i) = c;
            r(j, j) = c;
            r(i, j) = transposed ? s : -s;
            r(j, i) = transposed ? -s : s;
            return r;
        };
        if (d == 2) {
            m = m * rot(0, 1, a[0], false);
        } else {
            m = m * rot(1, 2, a[0], false) * rot(0, 2, a[1], true) * rot(0, 1, a[2], false);
        }
    }
    if (!p.shear.empty()) {
        std::vector<double> s = p.shear;
        const size_t n = d == 2 ? 2 : 6;
        if (s.size() > n)
            throw ConfigError("expected at most " + std::to_string(n) + " shear values", {},
                              context + ".shear_params");
        s.resize(n, 0.0);
        MatrixN sh(d + 1);
        if (d == 2) {
            sh(0, 1) = s[0];
            sh(1, 0) = s[1];
        } else {
            sh(0, 1) = s[0];
            sh(0, 2) = s[1];
            sh(1, 0) = s[2];
            sh(1, 2) = s[3];
            sh(2, 0) = s[4];
            sh(2, 1) = s[5];
        }
        m = m * sh;
    }
    if (!p.translate.empty()) {
        std::vector<double> t = p.translate;
        t.resize(d, 0.0);
        m = m * MatrixN::translation(t);
    }
    if (!p.scale.empty()) {
        std::vector<double> s = p.scale;
        s.resize(d, 1.0);
        m = m * MatrixN::scaling(s);
    }
    return m;
}

Volume affineVolume(const Volume& v, const AffineParams& p, const GridMode& mode,
                    MatrixN* matrixOut, const std::string& context) {
    checkRank(v, context);
    const std::vector<int64_t> in = v.spatialShape();
    const size_t d = in.size();
    std::vector<int64_t> out = in;
    if (!p.spatialSize.empty()) {
        out = perAxis(p.spatialSize, d, context + ".spatial_size");
        for (size_t i = 0; i < d; ++i)
            if (out[i] <= 0)
                out[i] = in[i];
    }
    const MatrixN a = affineMatrix(d, p, context);
    std::vector<double> c(d), co(d), s1(d, 1.0), s2(d, 1.0);
    for (size_t i = 0; i < d; ++i) {
        c[i] = (double(in[i]) - 1) / 2;
        co[i] = -(double(out[i]) - 1) / 2;
        if (mode.alignCorners) {
            const double n = std::max<double>(double(in[i]), 2),
                         m = std::max<double>(double(out[i]), 2);
            s1[i] = (double(in[i]) - 1) / n;
            s2[i] = m / (m - 1);
        }
    }
    if (matrixOut) // MONAI returns the voxel map (compute_w_affine)
        *matrixOut = MatrixN::translation(c) * a * MatrixN::translation(co);
    // Voxel map for the affine (MONAI's compute_w_affine) and the one
    // actually sampled (Resample's normalised centred grid).
    const MatrixN nominal = MatrixN::translation(c) * a * MatrixN::translation(co);
    const MatrixN sampling = MatrixN::translation(c) * MatrixN::scaling(s1) * a *
                             MatrixN::scaling(s2) * MatrixN::translation(co);
    return sampleWith(v, sampling, nominal, out, mode);
}

} // namespace medulla
