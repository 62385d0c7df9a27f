#include "engine/metrics/SurfaceDistanceMetric.h"

#include "engine/metrics/MetricInputs.h"
#include "engine/metrics/SurfaceMetricSupport.h"

namespace medulla {

SurfaceDistanceMetric::SurfaceDistanceMetric(SurfaceDistanceMetricOptions o)
    : options_(std::move(o)), metric_(surface_metrics::parseDistanceMetric(
                                  options_.distance_metric(), "metric.distance_metric")) {
    checkMetricReduction(options_.reduction(), "metric.reduction");
}

at::Tensor SurfaceDistanceMetric::compute(const at::Tensor& yPred, const at::Tensor& y,
                                          const MetricCall& call) const {
    kernels::SurfaceDistanceOptions k;
    k.metric = metric_;
    k.symmetric = options_.symmetric();
    return surface_metrics::perPair(name(), yPred, y, options_.include_background(), k, call,
                                    [](int64_t, kernels::SurfaceDistances& d) {
                                        return kernels::meanDistance(d.predToGt, d.gtToPred);
                                    });
}

ComponentInfo SurfaceDistanceMetric::info() {
    return {"SurfaceDistanceMetric",
            "metric",
            "Average surface distance from the prediction to the label (symmetric: both "
            "ways), per sample and class.",
            {includeBackgroundParam(false),
             {"symmetric", ParamType::Bool, false, 0, 1, {}, "average both directions"},
             surface_metrics::distanceMetricParam(),
             metricReductionParam(),
             getNotNansParam()}};
}

std::shared_ptr<Metric> SurfaceDistanceMetric::fromJson(const Json& config,
                                                        const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<SurfaceDistanceMetric>(
        SurfaceDistanceMetricOptions()
            .include_background(r.boolean("include_background"))
            .symmetric(r.boolean("symmetric"))
            .distance_metric(r.string("distance_metric"))
            .reduction(r.string("reduction"))
            .get_not_nans(r.boolean("get_not_nans")));
}

Json SurfaceDistanceMetric::toJson() const {
    const auto& o = options_;
    return {{"name", name()},
            {"include_background", o.include_background()},
            {"symmetric", o.symmetric()},
            {"distance_metric", o.distance_metric()},
            {"reduction", o.reduction()},
            {"get_not_nans", o.get_not_nans()}};
}

} // namespace medulla
