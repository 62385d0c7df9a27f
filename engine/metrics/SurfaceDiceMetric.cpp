#include "engine/metrics/SurfaceDiceMetric.h"

#include <cmath>

#include "engine/metrics/MetricInputs.h"
#include "engine/metrics/SurfaceMetricSupport.h"

namespace medulla {

SurfaceDiceMetric::SurfaceDiceMetric(SurfaceDiceMetricOptions o)
    : options_(std::move(o)), metric_(surface_metrics::parseDistanceMetric(
                                  options_.distance_metric(), "metric.distance_metric")) {
    if (options_.class_thresholds().empty())
        throw ConfigError("needs one threshold per class", {}, "metric.class_thresholds");
    for (double t : options_.class_thresholds())
        if (!std::isfinite(t) || t < 0)
            throw ConfigError("thresholds must be finite and >= 0, got " + std::to_string(t), {},
                              "metric.class_thresholds");
    if (options_.use_subvoxels())
        throw ConfigError("use_subvoxels=true (DeepMind's surface elements) is not implemented", {},
                          "metric.use_subvoxels");
    checkMetricReduction(options_.reduction(), "metric.reduction");
}

at::Tensor SurfaceDiceMetric::compute(const at::Tensor& yPred, const at::Tensor& y,
                                      const MetricCall& call) const {
    if (yPred.dim() != 4 && yPred.dim() != 5)
        throw ShapeError(name() + ": y_pred must be (B, C, H, W) or (B, C, H, W, D), got " +
                         c10::str(yPred.sizes()));
    const auto& thresholds = options_.class_thresholds();
    const int64_t channels = yPred.size(1);
    const int64_t kept = !options_.include_background() && channels > 1 ? channels - 1 : channels;
    if (kept != int64_t(thresholds.size()))
        throw ConfigError(std::to_string(thresholds.size()) + " thresholds for " +
                              std::to_string(kept) + " classes",
                          {}, "metric.class_thresholds");
    kernels::SurfaceDistanceOptions k;
    k.metric = metric_;
    k.symmetric = true;
    return surface_metrics::perPair(
        name(), yPred, y, options_.include_background(), k, call,
        [&](int64_t c, kernels::SurfaceDistances& d) {
            const size_t complete = d.predToGt.size() + d.gtToPred.size();
            if (complete == 0)
                return NAN;
            const double t = thresholds[size_t(c)];
            const int64_t correct =
                kernels::countWithin(d.predToGt, t) + kernels::countWithin(d.gtToPred, t);
            return float(double(correct) / double(complete));
        });
}

ComponentInfo SurfaceDiceMetric::info() {
    return {"SurfaceDiceMetric",
            "metric",
            "Normalised surface Dice: fraction of both surfaces within a class tolerance of the "
            "other, per sample and class.",
            {{"class_thresholds",
              ParamType::FloatList,
              Json(),
              0,
              1e30,
              {},
              "tolerance per class (after dropping the background), spacing units"},
             includeBackgroundParam(false),
             surface_metrics::distanceMetricParam(),
             metricReductionParam(),
             getNotNansParam(),
             {"use_subvoxels",
              ParamType::Bool,
              false,
              0,
              1,
              {},
              "DeepMind's surface elements (not implemented: must be false)"}}};
}

std::shared_ptr<Metric> SurfaceDiceMetric::fromJson(const Json& config,
                                                    const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<SurfaceDiceMetric>(
        SurfaceDiceMetricOptions()
            .class_thresholds(r.numberList("class_thresholds"))
            .include_background(r.boolean("include_background"))
            .distance_metric(r.string("distance_metric"))
            .reduction(r.string("reduction"))
            .get_not_nans(r.boolean("get_not_nans"))
            .use_subvoxels(r.boolean("use_subvoxels")));
}

Json SurfaceDiceMetric::toJson() const {
    const auto& o = options_;
    return {{"name", name()},
            {"class_thresholds", o.class_thresholds()},
            {"include_background", o.include_background()},
            {"distance_metric", o.distance_metric()},
            {"reduction", o.reduction()},
            {"get_not_nans", o.get_not_nans()},
            {"use_subvoxels", o.use_subvoxels()}};
}

} // namespace medulla
