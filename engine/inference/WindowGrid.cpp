#include "engine/inference/WindowGrid.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"

namespace medulla {

namespace {

std::string listText(const std::vector<int64_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

} // namespace

std::vector<double> perAxis(const std::vector<double>& values, size_t n, const std::string& field) {
    if (values.size() == 1)
        return std::vector<double>(n, values[0]);
    if (values.size() != n)
        throw ShapeError("needs 1 value or one per spatial axis (" + std::to_string(n) + "), got " +
                             std::to_string(values.size()),
                         {}, field);
    return values;
}

std::vector<int64_t> resolveRoi(const std::vector<int64_t>& roi,
                                const std::vector<int64_t>& imageSize, const std::string& field) {
    const size_t n = imageSize.size();
    if (roi.size() != 1 && roi.size() != n)
        throw ShapeError("has " + std::to_string(roi.size()) + " values " + listText(roi) +
                             " but the inputs have " + std::to_string(n) + " spatial axes " +
                             listText(imageSize),
                         {}, field);
    std::vector<int64_t> out(n);
    for (size_t i = 0; i < n; ++i) {
        const int64_t r = roi.size() == 1 ? roi[0] : roi[i];
        out[i] = r > 0 ? r : imageSize[i];
    }
    return out;
}

std::vector<int64_t> scanInterval(const std::vector<int64_t>& imageSize,
                                  const std::vector<int64_t>& roi,
                                  const std::vector<double>& overlap) {
    std::vector<int64_t> out(roi.size());
    for (size_t i = 0; i < roi.size(); ++i) {
        if (roi[i] == imageSize[i]) {
            out[i] = roi[i];
        } else {
            // Python's int(roi * (1 - o)): truncation of the double product.
            const auto interval = int64_t(double(roi[i]) * (1.0 - overlap[i]));
            out[i] = interval > 0 ? interval : 1;
        }
    }
    return out;
}

std::vector<std::vector<int64_t>> axisStarts(const std::vector<int64_t>& imageSize,
                                             const std::vector<int64_t>& roi,
                                             const std::vector<int64_t>& interval) {
    std::vector<std::vector<int64_t>> starts(roi.size());
    for (size_t i = 0; i < roi.size(); ++i) {
        const int64_t patch = std::min(roi[i], imageSize[i]);
        int64_t count = 1;
        if (interval[i] > 0) {
            const int64_t num = (imageSize[i] + interval[i] - 1) / interval[i];
            for (int64_t d = 0; d < num; ++d)
                if (d * interval[i] + patch >= imageSize[i]) {
                    count = d + 1;
                    break;
                }
        }
        for (int64_t idx = 0; idx < count; ++idx) {
            int64_t s = idx * interval[i];
            s -= std::max<int64_t>(s + patch - imageSize[i], 0);
            starts[i].push_back(s);
        }
    }
    return starts;
}

std::vector<std::vector<int64_t>> windowStarts(const std::vector<int64_t>& imageSize,
                                               const std::vector<int64_t>& roi,
                                               const std::vector<int64_t>& interval) {
    const auto perAxisStarts = axisStarts(imageSize, roi, interval);
    std::vector<std::vector<int64_t>> out{{}};
    for (const auto& axis : perAxisStarts) {
        std::vector<std::vector<int64_t>> next;
        next.reserve(out.size() * axis.size());
        for (const auto& prefix : out)
            for (int64_t s : axis) {
                next.push_back(prefix);
                next.back().push_back(s);
            }
        out = std::move(next);
    }
    return out;
}

at::Tensor importanceMap(const std::vector<int64_t>& roi, const std::string& mode,
                         const std::vector<double>& sigmaScale, at::ScalarType dtype,
                         c10::Device device, const std::string& field) {
    const auto opts = at::TensorOptions().dtype(at::kFloat).device(device);
    at::Tensor map;
    if (mode == "constant") {
        map = at::ones(roi, opts);
    } else if (mode == "gaussian") {
        const std::vector<double> scale = perAxis(sigmaScale, roi.size(), field + ".sigma_scale");
        for (size_t i = 0; i < roi.size(); ++i) {
            const double sigma = double(roi[i]) * scale[i];
            if (!(sigma > 0))
                throw ConfigError("must be > 0 (sigma = roi_size * sigma_scale)", {},
                                  field + ".sigma_scale");
            const double half = double(roi[i] - 1) / 2.0;
            at::Tensor x = at::arange(-half, half + 1, opts);
            x = at::exp(x.pow(2) / (-2 * (sigma * sigma)));
            if (i == 0) {
                map = x;
            } else {
                std::vector<int64_t> shape(i, 1);
                shape.push_back(roi[i]);
                map = map.unsqueeze(-1) * x.view(shape);
            }
        }
    } else {
        throw ConfigError("\"" + mode + "\" is not one of: constant, gaussian", {},
                          field + ".mode");
    }
    // MONAI's "handle non-positive weights": clamp below at max(min, 1e-3).
    const double floor = std::max(map.min().item<double>(), 1e-3);
    return at::clamp_min(map, floor).to(dtype);
}

} // namespace medulla
