/// Spacing and Orientation (declared in ResampleOps.h): the two transforms
/// that derive their output grid from the input affine.

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/transforms/ResampleOps.h"

namespace medulla {

namespace {

constexpr double kAffineTol = 1e-3; // MONAI's AFFINE_TOL

/// Column norms of the d x d part (voxel spacing).
std::vector<double> columnNorms(const MatrixN& a, size_t d) {
    std::vector<double> n(d);
    for (size_t c = 0; c < d; ++c) {
        double s = 0;
        for (size_t r = 0; r < d; ++r)
            s += a(r, c) * a(r, c);
        n[c] = std::sqrt(s);
    }
    return n;
}

/// MONAI's zoom_affine: keep the rotation of `a`, set the spacing to `scale`
/// (diagonal: an axis-aligned affine). No translation.
MatrixN zoomAffine(const MatrixN& a, const std::vector<double>& scale, bool diagonal) {
    const size_t d = a.size() - 1;
    if (diagonal)
        return MatrixN::scaling(scale);
    // rzs = rotation @ zs with zs upper triangular (Cholesky of rzs^T rzs).
    MatrixN g(d + 1); // rzs^T rzs in the top-left block
    for (size_t i = 0; i < d; ++i)
        for (size_t j = 0; j < d; ++j) {
            double s = 0;
            for (size_t k = 0; k < d; ++k)
                s += a(k, i) * a(k, j);
            g(i, j) = s;
        }
    MatrixN l(d + 1); // lower Cholesky factor; zs = l^T
    for (size_t i = 0; i < d; ++i)
        for (size_t j = 0; j <= i; ++j) {
            double s = g(i, j);
            for (size_t k = 0; k < j; ++k)
                s -= l(i, k) * l(j, k);
            if (i == j) {
                if (s <= 0)
                    throw ShapeError("the image affine is singular", {}, "affine");
                l(i, i) = std::sqrt(s);
            } else {
                l(i, j) = s / l(j, j);
            }
        }
    MatrixN zs(d + 1);
    for (size_t i = 0; i < d; ++i)
        for (size_t j = 0; j < d; ++j)
            zs(i, j) = l(j, i);
    MatrixN rzs(d + 1);
    for (size_t i = 0; i < d; ++i)
        for (size_t j = 0; j < d; ++j)
            rzs(i, j) = a(i, j);
    const MatrixN rotation = rzs * zs.inverse();
    std::vector<double> s(d);
    for (size_t i = 0; i < d; ++i)
        s[i] = (zs(i, i) < 0 ? -1.0 : 1.0) * std::fabs(scale[i]);
    MatrixN out = rotation * MatrixN::scaling(s);
    for (size_t i = 0; i < d; ++i)
        out(i, d) = 0;
    return out;
}

/// MONAI's compute_shape_offset: the output shape that holds the input's
/// corner voxels and the world position of the output's voxel 0.
void shapeOffset(const std::vector<int64_t>& shape, const MatrixN& in, const MatrixN& out,
                 bool scaleExtent, std::vector<int64_t>& outShape, std::vector<double>& offset) {
    const size_t d = shape.size(), nc = size_t(1) << d;
    const MatrixN toOut = out.inverse() * in;
    std::vector<std::vector<double>> cornersOut(nc, std::vector<double>(d)),
        cornersWorld(nc, std::vector<double>(d));
    std::vector<double> lo(d, INFINITY), hi(d, -INFINITY);
    for (size_t c = 0; c < nc; ++c) {
        std::vector<double> p(d + 1, 1.0);
        for (size_t k = 0; k < d; ++k) { // meshgrid "ij": first axis varies slowest
            const bool high = (c >> (d - 1 - k)) & 1;
            p[k] = scaleExtent ? (high ? double(shape[k]) - 0.5 : -0.5)
                               : (high ? double(shape[k]) - 1.0 : 0.0);
        }
        for (size_t r = 0; r < d; ++r) {
            double o = 0, w = 0;
            for (size_t k = 0; k <= d; ++k) {
                o += toOut(r, k) * p[k];
                w += in(r, k) * p[k];
            }
            cornersOut[c][r] = o;
            cornersWorld[c][r] = w;
            lo[r] = std::min(lo[r], o);
            hi[r] = std::max(hi[r], o);
        }
    }
    outShape.assign(d, 0);
    for (size_t r = 0; r < d; ++r)
        outShape[r] = int64_t(std::nearbyint(hi[r] - lo[r] + (scaleExtent ? 0.0 : 1.0)));
    offset.clear();
    for (size_t c = 0; c < nc && offset.empty(); ++c) {
        bool smallest = true;
        for (size_t r = 0; r < d; ++r)
            for (size_t k = 0; k < nc; ++k)
                if (std::fabs(std::min(0.0, cornersOut[k][r] - cornersOut[c][r])) > 1e-8)
                    smallest = false;
        if (smallest)
            offset = cornersWorld[c];
    }
    if (offset.empty()) { // centre the output on the input
        offset.assign(d, 0.0);
        for (size_t r = 0; r < d; ++r) {
            offset[r] = in(r, d);
            for (size_t k = 0; k < d; ++k)
                offset[r] += in(r, k) * double(shape[k]) / 2 - out(r, k) * double(outShape[k]) / 2;
        }
    }
    if (scaleExtent) {
        std::vector<double> io(d + 1, 1.0);
        for (size_t k = 0; k < d; ++k)
            io[k] = 0.5 * (double(shape[k]) / double(outShape[k]) - 1.0);
        for (size_t r = 0; r < d; ++r) {
            double w = 0;
            for (size_t k = 0; k <= d; ++k)
                w += in(r, k) * io[k];
            offset[r] = std::fabs(w) * (offset[r] < 0 ? -1.0 : (offset[r] > 0 ? 1.0 : 0.0));
        }
    }
}

/// nibabel's io_orientation: for each voxel axis, the world axis it runs
/// along most (0 = L/R, 1 = P/A, 2 = I/S) and its sign.
void ioOrientation(const MatrixN& a, std::vector<int>& worldAxis, std::vector<int>& sign) {
    const size_t d = a.size() - 1;
    const std::vector<double> zooms = columnNorms(a, d);
    MatrixN r(d + 1);
    for (size_t i = 0; i < d; ++i)
        for (size_t j = 0; j < d; ++j)
            r(i, j) = a(i, j) / (zooms[j] > 0 ? zooms[j] : 1.0);
    // Polar decomposition by Newton iteration: R <- (R + R^-T) / 2.
    for (int it = 0; it < 100; ++it) {
        const MatrixN inv = r.inverse();
        double change = 0;
        MatrixN next(d + 1);
        for (size_t i = 0; i < d; ++i)
            for (size_t j = 0; j < d; ++j) {
                next(i, j) = 0.5 * (r(i, j) + inv(j, i));
                change = std::max(change, std::fabs(next(i, j) - r(i, j)));
            }
        r = next;
        if (change < 1e-15)
            break;
    }
    worldAxis.assign(d, -1);
    sign.assign(d, 1);
    for (size_t in = 0; in < d; ++in) {
        size_t best = 0;
        for (size_t o = 1; o < d; ++o)
            if (std::fabs(r(o, in)) > std::fabs(r(best, in)))
                best = o;
        worldAxis[in] = int(best);
        sign[in] = r(best, in) < 0 ? -1 : 1;
        for (size_t j = 0; j < d; ++j)
            r(best, j) = 0;
    }
}

} // namespace

Volume spacingVolume(const Volume& v, const SpacingParams& p, const std::string& context) {
    if (!v.isValid())
        throw ShapeError("no image", {}, context);
    const std::vector<int64_t> shape = v.spatialShape();
    const size_t d = shape.size();
    if (p.pixdim.empty())
        throw ConfigError("pixdim needs at least one value", {}, context + ".pixdim");
    std::vector<double> outD = p.pixdim;
    outD.resize(std::max(outD.size(), d), outD.back());
    outD.resize(d);
    const MatrixN a = MatrixN::fromAffine(v.affine(), d);
    const std::vector<double> orig = columnNorms(a, d);
    for (size_t i = 0; i < d; ++i) {
        if (outD[i] <= 0) // MONAI falls back to the original spacing
            outD[i] = orig[i];
        double mn = outD[i], mx = outD[i];
        if (i < p.minPixdim.size() && !std::isnan(p.minPixdim[i]))
            mn = std::min(p.minPixdim[i], outD[i]);
        if (i < p.maxPixdim.size() && !std::isnan(p.maxPixdim[i]))
            mx = std::max(p.maxPixdim[i], outD[i]);
        if (mn > mx)
            throw ConfigError("min_pixdim is larger than max_pixdim on axis " + std::to_string(i),
                              {}, context + ".min_pixdim");
        if (mn - kAffineTol <= orig[i] && orig[i] <= mx + kAffineTol)
            outD[i] = orig[i];
    }
    MatrixN target = zoomAffine(a, outD, p.diagonal);
    std::vector<int64_t> outShape;
    std::vector<double> offset;
    shapeOffset(shape, a, target, p.scaleExtent, outShape, offset);
    for (size_t i = 0; i < d; ++i) {
        target(i, d) = offset[i];
        if (outShape[i] < 1)
            throw ShapeError("the output would have no voxel on axis " + std::to_string(i), {},
                             context);
    }
    const MatrixN map = a.inverse() * target;
    bool identity = outShape == shape;
    for (size_t i = 0; i <= d && identity; ++i)
        for (size_t j = 0; j <= d; ++j)
            identity = identity && std::fabs(map(i, j) - (i == j ? 1.0 : 0.0)) <= kAffineTol;
    if (identity)
        return Volume(v.data().to(at::kFloat), v.affine());
    return resampleIndexMap(v, map, outShape, p.mode);
}

Volume orientationVolume(const Volume& v, const std::string& axcodes, const std::string& context) {
    if (!v.isValid())
        throw ShapeError("no image", {}, context);
    const std::vector<int64_t> shape = v.spatialShape();
    const size_t d = shape.size();
    if (axcodes.size() < d)
        throw ConfigError("axcodes \"" + axcodes + "\" has fewer letters than the image's " +
                              std::to_string(d) + " spatial axes",
                          {}, context + ".axcodes");
    static const char* kLabels[3][2] = {{"L", "R"}, {"P", "A"}, {"I", "S"}};
    std::vector<int> targetAxis(d), targetSign(d);
    std::vector<bool> used(3, false);
    for (size_t o = 0; o < d; ++o) {
        const char c = char(std::toupper(static_cast<unsigned char>(axcodes[o])));
        int axis = -1, sgn = 0;
        for (int w = 0; w < 3; ++w)
            for (int s = 0; s < 2; ++s)
                if (c == kLabels[w][s][0]) {
                    axis = w;
                    sgn = s ? 1 : -1;
                }
        if (axis < 0 || axis >= int(d) || used[size_t(axis)])
            throw ConfigError("axcodes \"" + axcodes + "\" is not a valid orientation for " +
                                  std::to_string(d) + "D (letters from LR, PA" +
                                  (d == 3 ? ", IS" : "") + ", one per axis)",
                              {}, context + ".axcodes");
        used[size_t(axis)] = true;
        targetAxis[o] = axis;
        targetSign[o] = sgn;
    }
    const MatrixN a = MatrixN::fromAffine(v.affine(), d);
    std::vector<int> srcAxis, srcSign;
    ioOrientation(a, srcAxis, srcSign);
    // Output axis o reads input axis `from[o]`, flipped when signs differ.
    std::vector<int64_t> perm{0}, flips, outShape(d);
    MatrixN map(d + 1);
    for (size_t o = 0; o < d; ++o) {
        size_t in = 0;
        while (in < d && srcAxis[in] != targetAxis[o])
            ++in;
        if (in == d)
            throw ShapeError("the affine has no axis along world axis " +
                                 std::to_string(targetAxis[o]),
                             {}, context);
        const bool flip = srcSign[in] != targetSign[o];
        perm.push_back(int64_t(in) + 1);
        if (flip)
            flips.push_back(int64_t(in) + 1);
        outShape[o] = shape[in];
        for (size_t k = 0; k <= d; ++k)
            map(in, k) = 0;
        map(in, o) = flip ? -1.0 : 1.0;
        map(in, d) = flip ? double(shape[in] - 1) : 0.0;
    }
    at::Tensor data = v.data();
    if (!flips.empty())
        data = data.flip(flips);
    data = data.permute(perm).contiguous();
    return Volume(data, map.appliedTo(v.affine()));
}

} // namespace medulla
