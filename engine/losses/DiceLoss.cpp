#include "engine/losses/DiceLoss.h"

#include <ATen/ATen.h>

namespace medulla {

DiceLoss::DiceLoss(DiceLossOptions o, std::string context, std::string label)
    : options_(std::move(o)), context_(std::move(context)), label_(std::move(label)) {
    lossterms::checkPrep(lossterms::prepOf(options_), context_);
    lossterms::checkReduction(options_.reduction(), context_ + ".reduction");
    lossterms::checkNonNegative(options_.weight(), context_ + ".weight");
}

at::Tensor DiceLoss::operator()(const at::Tensor& input, const at::Tensor& target) const {
    lossterms::checkRank(input, 3, label_);
    const auto [x, y] = lossterms::prepare(input, target, lossterms::prepOf(options_), label_);
    const auto axes = lossterms::reduceAxes(x.dim(), options_.batch());
    const at::Tensor inter = (y * x).sum(axes);
    const at::Tensor groundO = options_.squared_pred() ? (y * y).sum(axes) : y.sum(axes);
    const at::Tensor predO = options_.squared_pred() ? (x * x).sum(axes) : x.sum(axes);
    at::Tensor denom = groundO + predO;
    if (options_.jaccard())
        denom = 2.0 * (denom - inter);
    at::Tensor f = 1.0 - (2.0 * inter + options_.smooth_nr()) / (denom + options_.smooth_dr());
    const int64_t classes = y.size(1);
    if (!options_.weight().empty() && classes != 1)
        f = f * lossterms::classWeights(options_.weight(), classes, f, context_ + ".weight",
                                        "class, without class 0 when include_background is false");
    if (options_.reduction() == "none")
        return lossterms::broadcastable(f, x.dim());
    return lossterms::reduce(f, options_.reduction());
}

std::vector<ParamSpec> DiceLoss::params(bool allowNoneReduction) {
    using namespace lossterms;
    return join(
        {prepParams(),
         {{"squared_pred",
           ParamType::Bool,
           false,
           0,
           1,
           {},
           "squares of input and target in the denominator"},
          {"jaccard", ParamType::Bool, false, 0, 1, {}, "soft Jaccard (IoU) instead of Dice"},
          reductionParam(allowNoneReduction)},
         smoothParams(),
         {batchParam(), weightParam("per-class weights >= 0 (one per class kept, or one for all; "
                                    "empty: none)")}});
}

ComponentInfo DiceLoss::info() {
    return {"DiceLoss", "loss", "MONAI's soft Dice (or Jaccard) loss.", params()};
}

std::shared_ptr<Loss> DiceLoss::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<DiceLoss>(readDiceArgs(r, DiceLossOptions()), context);
}

Json DiceLoss::toJson() const {
    Json j = {{"name", "DiceLoss"}};
    writeDiceArgs(j, options_);
    return j;
}

} // namespace medulla
