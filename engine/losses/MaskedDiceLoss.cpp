#include "engine/losses/MaskedDiceLoss.h"

#include <ATen/ATen.h>

namespace medulla {

MaskedDiceLoss::MaskedDiceLoss(DiceLossOptions options, std::string context)
    : DiceLoss(std::move(options), std::move(context), "MaskedDiceLoss") {}

at::Tensor MaskedDiceLoss::operator()(const at::Tensor& input, const at::Tensor& target) const {
    return DiceLoss::operator()(input, target);
}

at::Tensor MaskedDiceLoss::masked(const at::Tensor& input, const at::Tensor& target,
                                  const at::Tensor& mask) const {
    lossterms::checkRank(input, 3, label_);
    const bool ok = mask.dim() == input.dim() && mask.size(1) == 1 &&
                    (mask.size(0) == 1 || mask.size(0) == input.size(0)) &&
                    mask.sizes().slice(2) == input.sizes().slice(2);
    if (!ok)
        throw ShapeError("MaskedDiceLoss: mask " + c10::str(mask.sizes()) +
                         " must be (B or 1, 1, *spatial) for input " + c10::str(input.sizes()));
    const at::Tensor m = mask.to(input.scalar_type());
    return DiceLoss::operator()(input* m, target* m);
}

ComponentInfo MaskedDiceLoss::info() {
    ComponentInfo i = DiceLoss::info();
    i.name = "MaskedDiceLoss";
    i.help = "MONAI's DiceLoss restricted to a mask (input and target multiplied by it).";
    return i;
}

std::shared_ptr<Loss> MaskedDiceLoss::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<MaskedDiceLoss>(readDiceArgs(r, DiceLossOptions()), context);
}

Json MaskedDiceLoss::toJson() const {
    Json j = DiceLoss::toJson();
    j["name"] = "MaskedDiceLoss";
    return j;
}

} // namespace medulla
