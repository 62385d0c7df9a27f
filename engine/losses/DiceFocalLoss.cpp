#include "engine/losses/DiceFocalLoss.h"

#include <ATen/ATen.h>

namespace medulla {

DiceFocalLoss::DiceFocalLoss(DiceFocalLossOptions o, std::string context) : options_(std::move(o)) {
    lossterms::checkNonNegative(options_.lambda_dice(), context + ".lambda_dice");
    lossterms::checkNonNegative(options_.lambda_focal(), context + ".lambda_focal");
    // The target is one-hot encoded here, once, for both terms.
    dice_ = std::make_shared<DiceLoss>(diceOptionsOf(options_).to_onehot_y(false), context,
                                       "DiceFocalLoss");
    focal_ = std::make_shared<FocalLoss>(FocalLossOptions()
                                             .include_background(options_.include_background())
                                             .gamma(options_.gamma())
                                             .weight(options_.weight())
                                             .reduction(options_.reduction()),
                                         context);
}

at::Tensor DiceFocalLoss::operator()(const at::Tensor& input, const at::Tensor& target) const {
    lossterms::checkCompound(input, target, "DiceFocalLoss");
    at::Tensor y = target;
    if (options_.to_onehot_y() && input.size(1) > 1)
        y = lossterms::oneHot(target, input.size(1), input.scalar_type(), "DiceFocalLoss");
    return options_.lambda_dice() * (*dice_)(input, y) +
           options_.lambda_focal() * (*focal_)(input, y);
}

ComponentInfo DiceFocalLoss::info() {
    auto params = DiceLoss::params();
    params.push_back(lossterms::gammaParam());
    params.push_back(lossterms::lambdaParam("lambda_dice", "factor of the Dice term"));
    params.push_back(lossterms::lambdaParam("lambda_focal", "factor of the focal term"));
    return {"DiceFocalLoss", "loss", "MONAI's Dice + sigmoid focal loss.", params};
}

std::shared_ptr<Loss> DiceFocalLoss::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<DiceFocalLoss>(readDiceArgs(r, DiceFocalLossOptions())
                                               .gamma(r.number("gamma"))
                                               .lambda_dice(r.number("lambda_dice"))
                                               .lambda_focal(r.number("lambda_focal")),
                                           context);
}

Json DiceFocalLoss::toJson() const {
    Json j = {{"name", "DiceFocalLoss"}};
    writeDiceArgs(j, options_);
    j["gamma"] = options_.gamma();
    j["lambda_dice"] = options_.lambda_dice();
    j["lambda_focal"] = options_.lambda_focal();
    return j;
}

} // namespace medulla
