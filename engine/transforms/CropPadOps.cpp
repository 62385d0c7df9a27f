#include "engine/transforms/CropPadOps.h"

#include "engine/transforms/CropOps.h"

#include <torch/nn/functional/padding.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/transforms/SpatialOps.h"

namespace medulla {
namespace {

/// New affine = old affine composed with `indexMap` (output voxel -> input voxel).
Affine compose(const Affine& a, const Affine& indexMap) {
    return a * indexMap;
}

std::vector<int64_t> perAxis(const std::vector<int64_t>& values, size_t n, const char* what) {
    if (values.size() == 1)
        return std::vector<int64_t>(n, values[0]);
    if (values.size() != n)
        throw ConfigError(std::string(what) + " needs 1 or " + std::to_string(n) + " values", "",
                          what);
    return values;
}

} // namespace

std::vector<ParamSpec> padParamSpecs() {
    return {{"method",
             ParamType::String,
             "symmetric",
             0,
             0,
             {"symmetric", "end"},
             "where the padding goes"},
            {"mode",
             ParamType::String,
             "constant",
             0,
             0,
             {"constant", "edge", "replicate", "reflect", "circular"},
             "padding mode"},
            {"value", ParamType::Float, 0.0, -1e30, 1e30, {}, "constant padding value"}};
}

Volume flipVolume(const Volume& v, std::vector<int64_t> axes) {
    const std::vector<int64_t> shape = v.spatialShape();
    if (axes.empty())
        for (int64_t d = 0; d < int64_t(shape.size()); ++d)
            axes.push_back(d);
    Affine map; // out i -> in (n - 1 - i) on flipped axes
    std::vector<int64_t> dims;
    for (int64_t d : axes) {
        if (d < 0)
            d += int64_t(shape.size());
        if (d < 0 || d >= int64_t(shape.size()))
            throw ConfigError("spatial_axis " + std::to_string(d) + " out of range", "",
                              "spatial_axis");
        dims.push_back(d + 1);
        map(int(d), int(d)) = -1;
        map(int(d), 3) = double(shape[size_t(d)] - 1);
    }
    return Volume(v.data().flip(dims), compose(v.affine(), map));
}

Volume rotate90Volume(const Volume& v, int64_t k, int64_t a, int64_t b) {
    const int64_t nd = v.spatialDims();
    if (a < 0)
        a += nd;
    if (b < 0)
        b += nd;
    if (a == b || a < 0 || b < 0 || a >= nd || b >= nd)
        throw ConfigError("spatial_axes must name two different spatial axes", "", "spatial_axes");
    k = ((k % 4) + 4) % 4;
    // The affine as MONAI builds it (same operations, same order, so the
    // floating-point result is the same): shift the output centre to the
    // origin, rotate k times by +-90 degrees about the third axis, shift back
    // to the input centre.
    const std::vector<int64_t> in = v.spatialShape();
    std::vector<int64_t> out = in;
    if (k % 2 == 1)
        std::swap(out[size_t(a)], out[size_t(b)]);
    Affine xform;
    for (int64_t d = 0; d < nd; ++d)
        xform(int(d), 3) = -double(out[size_t(d)] - 1) / 2;
    const double s = (a - b == -1 || a - b == 2) ? -1.0 : 1.0;
    const double angle = s * M_PI / 2, sn = std::sin(angle), cs = std::cos(angle);
    Affine rot;
    int p = 0, q = 1; // the rotated pair of world-voxel axes
    if (nd == 3) {
        const int64_t other = 3 - a - b; // the axis not in the plane
        p = other == 0 ? 1 : 0;
        q = other == 2 ? 1 : 2;
        if (other == 1) // rotation about the second axis: [[c, s], [-s, c]] on (0, 2)
            std::swap(p, q);
    }
    rot(p, p) = cs;
    rot(p, q) = -sn;
    rot(q, p) = sn;
    rot(q, q) = cs;
    for (int64_t step = 0; step < k; ++step)
        xform = rot * xform;
    Affine back;
    for (int64_t d = 0; d < nd; ++d)
        back(int(d), 3) = double(in[size_t(d)] - 1) / 2;
    xform = back * xform;
    return Volume(torch::rot90(v.data(), k, {a + 1, b + 1}).contiguous(),
                  compose(v.affine(), xform));
}

Volume padVolume(const Volume& v, const std::vector<int64_t>& sizeIn, const std::string& method,
                 const std::string& mode, double value, const std::string& context) {
    const std::vector<int64_t> shape = v.spatialShape();
    const std::vector<int64_t> size = perAxis(sizeIn, shape.size(), "spatial_size");
    if (method != "symmetric" && method != "end")
        throw ConfigError("method must be symmetric or end, not \"" + method + "\"", "",
                          context + ".method");
    std::vector<int64_t> before(shape.size()), after(shape.size());
    bool any = false;
    for (size_t d = 0; d < shape.size(); ++d) {
        const int64_t total = std::max<int64_t>(size[d] - shape[d], 0);
        before[d] = method == "symmetric" ? total / 2 : 0;
        after[d] = total - before[d];
        any = any || total > 0;
    }
    if (!any)
        return v;
    return padBorders(v, before, after, mode, value, context);
}

Volume divisiblePadVolume(const Volume& v, const std::vector<int64_t>& kIn,
                          const std::string& method, const std::string& mode, double value,
                          const std::string& context) {
    const std::vector<int64_t> shape = v.spatialShape();
    const std::vector<int64_t> k = perAxis(kIn, shape.size(), "k");
    std::vector<int64_t> size(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
        if (k[d] < 1)
            throw ConfigError("k must be >= 1", "", context + ".k");
        size[d] = (shape[d] + k[d] - 1) / k[d] * k[d];
    }
    return padVolume(v, size, method, mode, value, context);
}

Volume centerCropVolume(const Volume& v, std::vector<int64_t> roi) {
    const std::vector<int64_t> shape = v.spatialShape();
    roi = perAxis(roi, shape.size(), "roi_size");
    std::vector<int64_t> start(shape.size()), size(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
        const int64_t r = roi[d] <= 0 ? shape[d] : roi[d];
        start[d] = std::max<int64_t>(shape[d] / 2 - r / 2, 0);
        size[d] = std::min(start[d] + r, shape[d]) - start[d];
    }
    return cropVolume(v, start, size);
}

} // namespace medulla
