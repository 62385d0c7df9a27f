#include "engine/losses/GeneralizedDiceFocalLoss.h"

#include <ATen/ATen.h>

namespace medulla {

GeneralizedDiceFocalLoss::GeneralizedDiceFocalLoss(GeneralizedDiceFocalLossOptions o,
                                                   std::string context)
    : options_(std::move(o)) {
    lossterms::checkNonNegative(options_.lambda_gdl(), context + ".lambda_gdl");
    lossterms::checkNonNegative(options_.lambda_focal(), context + ".lambda_focal");
    gdl_ = std::make_shared<GeneralizedDiceLoss>(generalizedDiceOptionsOf(options_), context);
    focal_ = std::make_shared<FocalLoss>(FocalLossOptions()
                                             .include_background(options_.include_background())
                                             .to_onehot_y(options_.to_onehot_y())
                                             .gamma(options_.gamma())
                                             .weight(options_.weight())
                                             .reduction(options_.reduction()),
                                         context);
}

at::Tensor GeneralizedDiceFocalLoss::operator()(const at::Tensor& input,
                                                const at::Tensor& target) const {
    lossterms::checkCompound(input, target, "GeneralizedDiceFocalLoss");
    return options_.lambda_gdl() * (*gdl_)(input, target) +
           options_.lambda_focal() * (*focal_)(input, target);
}

ComponentInfo GeneralizedDiceFocalLoss::info() {
    auto params = GeneralizedDiceLoss::params();
    params.push_back(lossterms::gammaParam());
    params.push_back(lossterms::weightParam("focal per-class weights >= 0 (one per class kept, "
                                            "or one for all; empty: none)"));
    params.push_back(lossterms::lambdaParam("lambda_gdl", "factor of the generalised Dice term"));
    params.push_back(lossterms::lambdaParam("lambda_focal", "factor of the focal term"));
    return {"GeneralizedDiceFocalLoss", "loss", "MONAI's generalised Dice + sigmoid focal loss.",
            params};
}

std::shared_ptr<Loss> GeneralizedDiceFocalLoss::fromJson(const Json& config,
                                                         const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<GeneralizedDiceFocalLoss>(
        readGeneralizedDiceArgs(r, GeneralizedDiceFocalLossOptions())
            .gamma(r.number("gamma"))
            .weight(r.numberList("weight"))
            .lambda_gdl(r.number("lambda_gdl"))
            .lambda_focal(r.number("lambda_focal")),
        context);
}

Json GeneralizedDiceFocalLoss::toJson() const {
    Json j = {{"name", "GeneralizedDiceFocalLoss"}};
    writeGeneralizedDiceArgs(j, options_);
    j["gamma"] = options_.gamma();
    j["weight"] = options_.weight();
    j["lambda_gdl"] = options_.lambda_gdl();
    j["lambda_focal"] = options_.lambda_focal();
    return j;
}

} // namespace medulla
