#pragma once
/// MONAI's MaskedDiceLoss: DiceLoss on input * mask and target * mask, so that
/// only the masked region contributes. As in MONAI the raw input is masked
/// before the activation (a masked logit reads as 0, e.g. sigmoid 0.5) and a
/// masked label reads as class 0.

#include "engine/losses/DiceLoss.h"

namespace medulla {

class MaskedDiceLoss : public DiceLoss {
public:
    explicit MaskedDiceLoss(DiceLossOptions options, std::string context = "loss");
    static ComponentInfo info();
    static std::shared_ptr<Loss> fromJson(const Json& config, const std::string& context);

    /// Without a mask: plain DiceLoss (as MONAI with mask=None).
    at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const override;
    /// mask (B or 1, 1, *spatial) with values in [0, 1], any real dtype;
    /// input and target as DiceLoss. ShapeError naming "mask" otherwise.
    at::Tensor masked(const at::Tensor& input, const at::Tensor& target,
                      const at::Tensor& mask) const override;
    Json toJson() const override;
};

} // namespace medulla
