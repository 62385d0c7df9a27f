#include "engine/losses/TverskyLoss.h"

#include <ATen/ATen.h>

namespace medulla {

TverskyLoss::TverskyLoss(TverskyLossOptions o, std::string context) : options_(std::move(o)) {
    lossterms::checkPrep(lossterms::prepOf(options_), context);
    lossterms::checkReduction(options_.reduction(), context + ".reduction");
    lossterms::checkNonNegative(options_.alpha(), context + ".alpha");
    lossterms::checkNonNegative(options_.beta(), context + ".beta");
}

at::Tensor TverskyLoss::operator()(const at::Tensor& input, const at::Tensor& target) const {
    const std::string label = "TverskyLoss";
    lossterms::checkRank(input, 3, label);
    const auto [p, g] = lossterms::prepare(input, target, lossterms::prepOf(options_), label);
    const auto axes = lossterms::reduceAxes(p.dim(), options_.batch());
    const at::Tensor tp = (p * g).sum(axes);
    const at::Tensor fp = options_.alpha() * (p * (1.0 - g)).sum(axes);
    const at::Tensor fn = options_.beta() * ((1.0 - p) * g).sum(axes);
    const at::Tensor score =
        1.0 - (tp + options_.smooth_nr()) / (tp + fp + fn + options_.smooth_dr());
    return lossterms::reduce(score, options_.reduction());
}

ComponentInfo TverskyLoss::info() {
    using namespace lossterms;
    return {"TverskyLoss", "loss", "MONAI's Tversky loss (weighted false positives/negatives).",
            join({prepParams(),
                  {{"alpha", ParamType::Float, 0.5, 0, 1e6, {}, "weight of the false positives"},
                   {"beta", ParamType::Float, 0.5, 0, 1e6, {}, "weight of the false negatives"},
                   reductionParam()},
                  smoothParams(),
                  {batchParam()}})};
}

std::shared_ptr<Loss> TverskyLoss::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<TverskyLoss>(lossterms::readPrep(r, TverskyLossOptions())
                                             .alpha(r.number("alpha"))
                                             .beta(r.number("beta"))
                                             .reduction(r.string("reduction"))
                                             .smooth_nr(r.number("smooth_nr"))
                                             .smooth_dr(r.number("smooth_dr"))
                                             .batch(r.boolean("batch")),
                                         context);
}

Json TverskyLoss::toJson() const {
    const auto& o = options_;
    Json j = {{"name", "TverskyLoss"}};
    lossterms::writePrep(j, o);
    j["alpha"] = o.alpha();
    j["beta"] = o.beta();
    j["reduction"] = o.reduction();
    j["smooth_nr"] = o.smooth_nr();
    j["smooth_dr"] = o.smooth_dr();
    j["batch"] = o.batch();
    return j;
}

} // namespace medulla
