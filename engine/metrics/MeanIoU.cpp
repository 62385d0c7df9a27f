#include "engine/metrics/MeanIoU.h"

#include <torch/torch.h>

#include "engine/metrics/MetricInputs.h"
#include "kernels/cpu/OverlapSums.h"

namespace medulla {

MeanIoU::MeanIoU(MeanIoUOptions options) : options_(std::move(options)) {
    checkMetricReduction(options_.reduction(), "metric.reduction");
}

at::Tensor MeanIoU::compute(const at::Tensor& yPredIn, const at::Tensor& yIn,
                            const MetricCall&) const {
    const auto [yPred, y] = segmentationPair(yPredIn, yIn, options_.include_background(), name());
    const at::Tensor s = kernels::overlapSums(yPred, y, kernels::OverlapKind::IoU);
    const at::Tensor inter = s.select(-1, 0), ySum = s.select(-1, 1);
    const at::Tensor uni = ySum + s.select(-1, 2) - inter;
    return emptyGroundTruthRule(inter / uni, ySum, uni, options_.ignore_empty())
        .to(metricValueType(yPredIn, yIn));
}

ComponentInfo MeanIoU::info() {
    return {"MeanIoU",
            "metric",
            "Intersection over union |X.Y| / |X + Y| per case and class of binarised one-hot "
            "predictions.",
            {includeBackgroundParam(true), metricReductionParam(), getNotNansParam(),
             ignoreEmptyParam()}};
}

std::shared_ptr<Metric> MeanIoU::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<MeanIoU>(MeanIoUOptions()
                                         .include_background(r.boolean("include_background"))
                                         .reduction(r.string("reduction"))
                                         .get_not_nans(r.boolean("get_not_nans"))
                                         .ignore_empty(r.boolean("ignore_empty")));
}

Json MeanIoU::toJson() const {
    const auto& o = options_;
    return {{"name", name()},
            {"include_background", o.include_background()},
            {"reduction", o.reduction()},
            {"get_not_nans", o.get_not_nans()},
            {"ignore_empty", o.ignore_empty()}};
}

} // namespace medulla
