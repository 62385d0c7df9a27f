#include "engine/transforms/CropOps.h"

#include "kernels/cpu/ForegroundProfile.h"

#include <torch/nn/functional/padding.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/transforms/CropPadOps.h"
#include "engine/transforms/SpatialOps.h"

namespace medulla {
namespace {

int64_t floorDiv(int64_t a, int64_t b) {
    const int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

std::string joined(const std::string& context, const std::string& key) {
    return context.empty() ? key : context + "." + key;
}

} // namespace

std::vector<int64_t> perAxisValues(const std::vector<int64_t>& values, size_t n,
                                   const std::string& field) {
    if (values.size() == 1)
        return std::vector<int64_t>(n, values[0]);
    if (values.size() != n)
        throw ConfigError("needs 1 or " + std::to_string(n) + " values, got " +
                              std::to_string(values.size()),
                          {}, field);
    return values;
}

std::vector<int64_t> fallBackSize(const std::vector<int64_t>& size,
                                  const std::vector<int64_t>& shape, const std::string& field) {
    std::vector<int64_t> out = perAxisValues(size, shape.size(), field);
    for (size_t d = 0; d < shape.size(); ++d)
        if (out[d] <= 0)
            out[d] = shape[d];
    return out;
}

void checkPadMode(const std::string& mode, const std::string& field) {
    const bool known = mode == "constant" || mode == "edge" || mode == "replicate" ||
                       mode == "reflect" || mode == "circular" || mode == "wrap";
    if (!known)
        throw ConfigError("unknown pad mode \"" + mode +
                              "\" (constant, edge, replicate, reflect, circular)",
                          {}, field);
}

Volume padBorders(const Volume& v, const std::vector<int64_t>& before,
                  const std::vector<int64_t>& after, const std::string& mode, double value,
                  const std::string& context) {
    const std::vector<int64_t> shape = v.spatialShape();
    if (before.size() != shape.size() || after.size() != shape.size())
        throw ShapeError("padding has " + std::to_string(before.size()) + " axes, volume has " +
                         std::to_string(shape.size()));
    checkPadMode(mode, joined(context, "mode"));
    bool any = false;
    std::vector<int64_t> pads; // last axis first, as torch wants
    for (size_t d = shape.size(); d-- > 0;) {
        if (before[d] < 0 || after[d] < 0)
            throw ShapeError("negative padding");
        pads.push_back(before[d]);
        pads.push_back(after[d]);
        any = any || before[d] > 0 || after[d] > 0;
    }
    if (!any)
        return v;
    namespace F = torch::nn::functional;
    const at::Tensor x = v.data();
    at::Tensor out;
    if (mode == "constant") {
        out = F::pad(x, F::PadFuncOptions(pads).mode(torch::kConstant).value(value));
    } else {
        F::PadFuncOptions o(pads);
        if (mode == "edge" || mode == "replicate")
            o.mode(torch::kReplicate);
        else if (mode == "reflect")
            o.mode(torch::kReflect);
        else
            o.mode(torch::kCircular);
        for (size_t d = 0; d < shape.size(); ++d) {
            const int64_t most = std::max(before[d], after[d]);
            if ((mode == "reflect" && most >= shape[d]) || most > shape[d] || shape[d] == 0)
                throw ConfigError(mode + " padding of " + std::to_string(most) +
                                      " voxels needs a larger image than " +
                                      std::to_string(shape[d]) + " voxels on axis " +
                                      std::to_string(d),
                                  {}, joined(context, "mode"));
        }
        // Replicate/reflect/circular work on batched floating-point input.
        const bool floating = at::isFloatingType(x.scalar_type());
        const at::Tensor in = floating ? x : x.to(torch::kFloat);
        out = F::pad(in.unsqueeze(0), o).squeeze(0).to(x.scalar_type());
    }
    Affine map; // output voxel -> input voxel
    for (size_t d = 0; d < shape.size(); ++d)
        map(int(d), 3) = -double(before[d]);
    return Volume(out.contiguous(), v.affine() * map);
}

Volume borderPadVolume(const Volume& v, const std::vector<int64_t>& spatialBorder,
                       const std::string& mode, double value, const std::string& context) {
    const size_t n = size_t(v.spatialDims());
    std::vector<int64_t> before(n), after(n);
    const auto& b = spatialBorder;
    if (b.size() == 1) {
        before.assign(n, std::max<int64_t>(b[0], 0));
        after = before;
    } else if (b.size() == n) {
        for (size_t d = 0; d < n; ++d)
            before[d] = after[d] = std::max<int64_t>(b[d], 0);
    } else if (b.size() == 2 * n) {
        for (size_t d = 0; d < n; ++d) {
            before[d] = std::max<int64_t>(b[2 * d], 0);
            after[d] = std::max<int64_t>(b[2 * d + 1], 0);
        }
    } else {
        throw ConfigError("needs 1, " + std::to_string(n) + " or " + std::to_string(2 * n) +
                              " values, got " + std::to_string(b.size()),
                          {}, joined(context, "spatial_border"));
    }
    return padBorders(v, before, after, mode, value, context);
}

Volume cropToBox(const Volume& v, const CropBox& box) {
    const std::vector<int64_t> shape = v.spatialShape();
    if (box.start.size() != shape.size() || box.end.size() != shape.size())
        throw ShapeError("crop box has " + std::to_string(box.start.size()) + " axes, volume has " +
                         std::to_string(shape.size()));
    std::vector<int64_t> start(shape.size()), size(shape.size());
    bool empty = false;
    for (size_t d = 0; d < shape.size(); ++d) {
        const int64_t s = std::max<int64_t>(box.start[d], 0);
        const int64_t e = std::max(box.end[d], s);
        start[d] = std::min(s, shape[d]);
        size[d] = std::min(e, shape[d]) - start[d];
        empty = empty || size[d] == 0;
    }
    if (!empty)
        return cropVolume(v, start, size);
    // An empty crop (no foreground): MONAI returns a zero-sized image whose
    // origin still moves to the box start.
    at::Tensor t = v.data();
    Vec3 s0{0, 0, 0};
    for (size_t d = 0; d < shape.size(); ++d) {
        t = t.narrow(int64_t(d) + 1, start[d], size[d]);
        s0[d] = double(start[d]);
    }
    Affine a = v.affine();
    const Vec3 o = a.voxelToWorld(s0);
    a(0, 3) = o[0], a(1, 3) = o[1], a(2, 3) = o[2];
    return Volume(t.contiguous(), a);
}

CropBox boxFromCenter(const std::vector<int64_t>& center, const std::vector<int64_t>& size) {
    CropBox box;
    for (size_t d = 0; d < center.size(); ++d) {
        const int64_t s = std::max<int64_t>(center[d] - floorDiv(size[d], 2), 0);
        box.start.push_back(s);
        box.end.push_back(std::max(s + size[d], s));
    }
    return box;
}

Volume spatialCropCenter(const Volume& v, const std::vector<int64_t>& roiCenter,
                         const std::vector<int64_t>& roiSize) {
    const size_t n = size_t(v.spatialDims());
    return cropToBox(v, boxFromCenter(perAxisValues(roiCenter, n, "roi_center"),
                                      perAxisValues(roiSize, n, "roi_size")));
}

Volume spatialCropStartEnd(const Volume& v, const std::vector<int64_t>& roiStart,
                           const std::vector<int64_t>& roiEnd) {
    const size_t n = size_t(v.spatialDims());
    return cropToBox(
        v, {perAxisValues(roiStart, n, "roi_start"), perAxisValues(roiEnd, n, "roi_end")});
}

CropBox foregroundBox(const at::Tensor& image, const std::vector<int64_t>& channelIndices,
                      const std::vector<int64_t>& marginIn, bool allowSmaller,
                      const std::vector<int64_t>& kIn, const std::string& context,
                      double threshold) {
    if (image.dim() < 2)
        throw ShapeError("CropForeground needs a channel-first image");
    at::Tensor data = image;
    if (!channelIndices.empty()) {
        std::vector<int64_t> idx;
        for (int64_t c : channelIndices) {
            const int64_t cc = c < 0 ? c + image.size(0) : c;
            if (cc < 0 || cc >= image.size(0))
                throw ConfigError("channel " + std::to_string(c) +
                                      " does not exist (the image has " +
                                      std::to_string(image.size(0)) + " channels)",
                                  {}, joined(context, "channel_indices"));
            idx.push_back(cc);
        }
        data = data.index_select(0, torch::tensor(idx, torch::kLong).to(data.device()));
    }
    // One pass: which slices along each axis hold foreground.
    const auto profiles = kernels::foregroundProfiles(data, threshold);
    const size_t n = profiles.size();
    const std::vector<int64_t> margin = perAxisValues(marginIn, n, joined(context, "margin"));
    for (int64_t m : margin)
        if (m < 0)
            throw ConfigError("must not be negative, got " + std::to_string(m), {},
                              joined(context, "margin"));
    const std::vector<int64_t> k = perAxisValues(kIn, n, joined(context, "k_divisible"));

    CropBox box{std::vector<int64_t>(n, 0), std::vector<int64_t>(n, 0)};
    for (size_t d = 0; d < n; ++d) {
        const auto& line = profiles[d];
        const auto len = int64_t(line.size());
        int64_t first = 0, last = len - 1;
        while (first < len && !line[size_t(first)])
            ++first;
        while (last >= 0 && !line[size_t(last)])
            --last;
        if (first == len) // no foreground at all
            return {std::vector<int64_t>(n, 0), std::vector<int64_t>(n, 0)};
        int64_t lo = first - margin[d];
        int64_t hi = last + margin[d] + 1;
        if (allowSmaller) {
            lo = std::max<int64_t>(lo, 0);
            hi = std::min(hi, len);
        }
        box.start[d] = lo;
        box.end[d] = hi;
    }
    for (size_t d = 0; d < n; ++d) {
        const int64_t size = box.end[d] - box.start[d];
        const int64_t kd = k[d] > 0 ? k[d] : 1;
        const int64_t grown = (size + kd - 1) / kd * kd;
        box.start[d] -= floorDiv(grown - size, 2);
        box.end[d] = box.start[d] + grown;
    }
    return box;
}

Volume cropPadToBox(const Volume& v, const CropBox& box, const std::string& mode, double value,
                    const std::string& context) {
    const std::vector<int64_t> shape = v.spatialShape();
    const Volume cropped = cropToBox(v, box);
    std::vector<int64_t> before(shape.size()), after(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
        before[d] = std::max<int64_t>(-box.start[d], 0);
        after[d] = std::max<int64_t>(box.end[d] - shape[d], 0);
    }
    return padBorders(cropped, before, after, mode, value, context);
}

Volume cropForegroundVolume(const Volume& v, const std::vector<int64_t>& channelIndices,
                            const std::vector<int64_t>& margin, bool allowSmaller,
                            const std::vector<int64_t>& kDivisible, const std::string& mode,
                            double value, const std::string& context, CropBox* boxOut) {
    const CropBox box =
        foregroundBox(v.data(), channelIndices, margin, allowSmaller, kDivisible, context);
    if (boxOut)
        *boxOut = box;
    return cropPadToBox(v, box, mode, value, context);
}

Volume resizeWithPadOrCropVolume(const Volume& v, const std::vector<int64_t>& spatialSize,
                                 const std::string& method, const std::string& mode, double value,
                                 const std::string& context) {
    const std::vector<int64_t> size =
        perAxisValues(spatialSize, size_t(v.spatialDims()), joined(context, "spatial_size"));
    if (method != "symmetric" && method != "end")
        throw ConfigError("must be symmetric or end, not \"" + method + "\"", {},
                          joined(context, "method"));
    const Volume cropped = centerCropVolume(v, size);
    const std::vector<int64_t> shape = cropped.spatialShape();
    std::vector<int64_t> before(shape.size()), after(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
        const int64_t total = std::max<int64_t>(size[d] - shape[d], 0);
        before[d] = method == "symmetric" ? total / 2 : 0;
        after[d] = total - before[d];
    }
    return padBorders(cropped, before, after, mode, value, context);
}

std::vector<int64_t> correctCropCenter(const std::vector<int64_t>& center,
                                       std::vector<int64_t> size, const std::vector<int64_t>& shape,
                                       bool allowSmaller, const std::string& context) {
    std::vector<int64_t> out(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
        if (size[d] > shape[d]) {
            if (!allowSmaller)
                throw ShapeError("the patch (" + std::to_string(size[d]) +
                                     " voxels) is larger than the image (" +
                                     std::to_string(shape[d]) + " voxels) on axis " +
                                     std::to_string(d) + "; set allow_smaller to crop less",
                                 {}, joined(context, "spatial_size"));
            size[d] = shape[d];
        }
        const int64_t validStart = size[d] / 2;
        // (shape + 1) - size / 2, truncated: the first centre past the range.
        int64_t validEnd = int64_t(double(shape[d] + 1) - double(size[d]) / 2.0);
        if (validEnd == validStart)
            ++validEnd;
        out[d] = std::min(std::max(center[d], validStart), validEnd - 1);
    }
    return out;
}

} // namespace medulla
