#include "engine/losses/DiceCELoss.h"

#include <ATen/ATen.h>

namespace medulla {
DiceCELoss::DiceCELoss(DiceCELossOptions o, std::string context)
    : options_(std::move(o)), context_(std::move(context)) {
    lossterms::checkReduction(options_.reduction(), context_ + ".reduction", false);
    lossterms::checkNonNegative(options_.lambda_dice(), context_ + ".lambda_dice");
    lossterms::checkNonNegative(options_.lambda_ce(), context_ + ".lambda_ce");
    std::vector<double> diceWeight = options_.weight();
    if (!options_.include_background() && diceWeight.size() > 1)
        diceWeight.erase(diceWeight.begin());
    dice_ = std::make_shared<DiceLoss>(diceOptionsOf(options_).weight(diceWeight), context_,
                                       "DiceCELoss");
}

at::Tensor DiceCELoss::crossEntropy(const at::Tensor& input, const at::Tensor& target) const {
    const int64_t channels = input.size(1);
    const int64_t reduction =
        options_.reduction() == "sum" ? at::Reduction::Sum : at::Reduction::Mean;
    c10::optional<at::Tensor> weight;
    if (!options_.weight().empty())
        weight = lossterms::classWeights(options_.weight(), channels, input, context_ + ".weight",
                                         "input channel, background included");
    if (channels == 1) // binary cross-entropy with logits, weight as pos_weight
        return at::binary_cross_entropy_with_logits(input, target.to(input.scalar_type()), {},
                                                    weight, reduction);
    if (target.size(1) == 1) { // class indices
        lossterms::checkLabels(target, channels, "DiceCELoss");
        return at::cross_entropy_loss(input, target.squeeze(1).to(at::kLong), weight, reduction);
    }
    return at::cross_entropy_loss(input, target.to(input.scalar_type()), weight, reduction);
}

at::Tensor DiceCELoss::operator()(const at::Tensor& input, const at::Tensor& target) const {
    lossterms::checkCompound(input, target, "DiceCELoss");
    const at::Tensor ce = crossEntropy(input, target);
    return options_.lambda_dice() * (*dice_)(input, target) + options_.lambda_ce() * ce;
}

ComponentInfo DiceCELoss::info() {
    auto params = DiceLoss::params(false);
    for (auto& p : params)
        if (p.name == "weight")
            p.help = "per-class weights >= 0 for cross-entropy and Dice, one per input channel "
                     "(background included); empty: none";
    params.push_back(lossterms::lambdaParam("lambda_dice", "factor of the Dice term"));
    params.push_back(lossterms::lambdaParam("lambda_ce", "factor of the cross-entropy term"));
    return {"DiceCELoss", "loss", "MONAI's Dice + cross-entropy loss.", params};
}

std::shared_ptr<Loss> DiceCELoss::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<DiceCELoss>(readDiceArgs(r, DiceCELossOptions())
                                            .lambda_dice(r.number("lambda_dice"))
                                            .lambda_ce(r.number("lambda_ce")),
                                        context);
}

Json DiceCELoss::toJson() const {
    Json j = {{"name", "DiceCELoss"}};
    writeDiceArgs(j, options_);
    j["lambda_dice"] = options_.lambda_dice();
    j["lambda_ce"] = options_.lambda_ce();
    return j;
}

} // namespace medulla
