#include "engine/metrics/SurfaceMetricSupport.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>

#include "engine/core/Error.h"
#include "engine/metrics/MetricInputs.h"

namespace medulla::surface_metrics {

kernels::SurfaceMetric parseDistanceMetric(const std::string& name, const std::string& field) {
    try {
        return kernels::surfaceMetricFromName(name);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(e.what(), {}, field);
    }
}

ParamSpec distanceMetricParam() {
    return {"distance_metric",
            ParamType::String,
            "euclidean",
            0,
            0,
            {"euclidean", "chessboard", "taxicab"},
            "distance between surface voxels (spacing only matters for euclidean)"};
}

ParamSpec optionalNumberParam(const std::string& name, double lo, double hi,
                              const std::string& help) {
    return {name, ParamType::Object, "none", lo, hi, {}, help + " (null or \"none\": unset)"};
}

std::optional<double> readOptionalNumber(const ParamReader& r, const std::string& key, double lo,
                                         double hi) {
    const Json& v = r.raw(key);
    if (v.is_null() || (v.is_string() && (v == "none" || v == "")))
        return std::nullopt;
    if (!v.is_number())
        throw ConfigError("expected a number or null, got " + v.dump(), {}, r.field(key));
    const double d = v.get<double>();
    if (!(d >= lo && d <= hi))
        throw ConfigError("value " + v.dump() + " is out of range [" + Json(lo).dump() + ", " +
                              Json(hi).dump() + "]",
                          {}, r.field(key));
    return d;
}

std::vector<std::vector<double>> spacingPerSample(const MetricCall& call, int64_t batch,
                                                  int64_t spatialDims) {
    const auto& s = call.spacing;
    if (s.empty())
        return std::vector<std::vector<double>>(size_t(batch));
    if (s.size() != 1 && int64_t(s.size()) != batch)
        throw ConfigError(std::to_string(s.size()) + " spacing lists for a batch of " +
                              std::to_string(batch) + " (give 1 or one per sample)",
                          {}, "spacing");
    for (const auto& list : s) {
        if (list.size() != 1 && int64_t(list.size()) != spatialDims)
            throw ConfigError(std::to_string(list.size()) + " spacing values for " +
                                  std::to_string(spatialDims) +
                                  " spatial axes (give 1 or one per axis)",
                              {}, "spacing");
        for (double v : list)
            if (!(v > 0) || !std::isfinite(v))
                throw ConfigError("spacing values must be finite and > 0, got " + std::to_string(v),
                                  {}, "spacing");
    }
    return s.size() == 1 ? std::vector<std::vector<double>>(size_t(batch), s[0]) : s;
}

at::Tensor perPair(const std::string& metricName, const at::Tensor& yPred, const at::Tensor& y,
                   bool includeBackground, const kernels::SurfaceDistanceOptions& options,
                   const MetricCall& call, const PairValue& value) {
    if (yPred.dim() > 5)
        throw ShapeError(metricName + ": y_pred must have 1 to 3 spatial dims, got " +
                         c10::str(yPred.sizes()));
    at::Tensor p, g;
    std::tie(p, g) = segmentationPair(yPred, y, includeBackground, metricName);
    const int64_t batch = p.size(0), spatialDims = p.dim() - 2;
    const auto spacing = spacingPerSample(call, batch, spatialDims);
    p = p.cpu();
    g = g.cpu();
    const int64_t classes = p.size(1), pairs = batch * classes;
    at::Tensor out = at::empty({batch, classes}, at::TensorOptions().dtype(at::kFloat));
    float* o = out.data_ptr<float>();
    auto run = [&](int64_t i) {
        const int64_t b = i / classes, c = i % classes;
        kernels::SurfaceDistanceOptions k = options;
        k.spacing = spacing[size_t(b)];
        kernels::SurfaceDistances d = kernels::surfaceDistances(p[b][c], g[b][c], k);
        o[i] = value(c, d);
    };
    // Several small pairs: one per thread; otherwise each pair uses all
    // threads inside the kernel.
    const int64_t voxels = pairs > 0 ? p[0][0].numel() : 0;
    if (pairs > 1 && voxels <= (int64_t(1) << 21))
        at::parallel_for(0, pairs, 1, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i)
                run(i);
        });
    else
        for (int64_t i = 0; i < pairs; ++i)
            run(i);
    return out.to(yPred.device());
}

} // namespace medulla::surface_metrics
