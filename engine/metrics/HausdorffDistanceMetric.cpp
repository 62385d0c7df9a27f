#include "engine/metrics/HausdorffDistanceMetric.h"

#include <cmath>
#include <cstdio>

#include "engine/metrics/MetricInputs.h"
#include "engine/metrics/SurfaceMetricSupport.h"

namespace medulla {

HausdorffDistanceMetric::HausdorffDistanceMetric(HausdorffDistanceMetricOptions o)
    : options_(std::move(o)), metric_(surface_metrics::parseDistanceMetric(
                                  options_.distance_metric(), "metric.distance_metric")) {
    const auto& p = options_.percentile();
    if (p && !(*p >= 0 && *p <= 100))
        throw ConfigError("percentile must be between 0 and 100, got " + std::to_string(*p), {},
                          "metric.percentile");
    checkMetricReduction(options_.reduction(), "metric.reduction");
}

at::Tensor HausdorffDistanceMetric::compute(const at::Tensor& yPred, const at::Tensor& y,
                                            const MetricCall& call) const {
    kernels::SurfaceDistanceOptions k;
    k.metric = metric_;
    k.symmetric = !options_.directed();
    const std::optional<double> percentile = options_.percentile();
    return surface_metrics::perPair(
        name(), yPred, y, options_.include_background(), k, call,
        [&](int64_t, kernels::SurfaceDistances& d) {
            float hd = kernels::directedHausdorff(d.predToGt, percentile);
            if (k.symmetric) {
                // torch.max over the two directions propagates NaN
                const float back = kernels::directedHausdorff(d.gtToPred, percentile);
                hd = std::isnan(hd) || std::isnan(back) ? NAN : std::max(hd, back);
            }
            return hd;
        });
}

std::string HausdorffDistanceMetric::shortName() const {
    const auto& p = options_.percentile();
    if (!p || *p == 0)
        return "HD";
    char buf[32];
    std::snprintf(buf, sizeof buf, "HD%g", *p);
    return buf;
}

ComponentInfo HausdorffDistanceMetric::info() {
    return {"HausdorffDistanceMetric",
            "metric",
            "Hausdorff distance between the surfaces of prediction and label (or a percentile "
            "of the surface distances), per sample and class.",
            {includeBackgroundParam(false),
             surface_metrics::distanceMetricParam(),
             surface_metrics::optionalNumberParam(
                 "percentile", 0, 100, "percentile of the distances instead of the maximum"),
             {"directed", ParamType::Bool, false, 0, 1, {}, "only y_pred -> y distances"},
             metricReductionParam(),
             getNotNansParam()}};
}

std::shared_ptr<Metric> HausdorffDistanceMetric::fromJson(const Json& config,
                                                          const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<HausdorffDistanceMetric>(
        HausdorffDistanceMetricOptions()
            .include_background(r.boolean("include_background"))
            .distance_metric(r.string("distance_metric"))
            .percentile(surface_metrics::readOptionalNumber(r, "percentile", 0, 100))
            .directed(r.boolean("directed"))
            .reduction(r.string("reduction"))
            .get_not_nans(r.boolean("get_not_nans")));
}

Json HausdorffDistanceMetric::toJson() const {
    const auto& o = options_;
    return {{"name", name()},
            {"include_background", o.include_background()},
            {"distance_metric", o.distance_metric()},
            {"percentile", o.percentile() ? Json(*o.percentile()) : Json()},
            {"directed", o.directed()},
            {"reduction", o.reduction()},
            {"get_not_nans", o.get_not_nans()}};
}

} // namespace medulla
