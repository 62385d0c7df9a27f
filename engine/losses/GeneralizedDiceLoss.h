#pragma once
/// MONAI's GeneralizedDiceLoss (Sudre et al. 2017): class weights from the
/// target volume, 1 - (2 sum_c w_c |X_c.Y_c| + smooth_nr) /
/// (sum_c w_c (|X_c| + |Y_c|) + smooth_dr) per sample (or over the batch).

#include <torch/arg.h>

#include "engine/losses/DiceTerms.h"
#include "engine/losses/Loss.h"

/// The parameters of MONAI's GeneralizedDiceLoss (also those of
/// GeneralizedDiceFocalLoss): the preparation (MEDULLA_LOSS_PREP_ARGS),
/// w_type ("square": 1/|Y_c|^2, "simple": 1/|Y_c|, "uniform": 1; a class
/// absent from the target, weight 1/0 = inf, gets the largest finite weight of
/// its sample, or of the batch with batch=true, as MONAI), reduction ("mean",
/// "sum" or "none": (B, 1, 1, ...), (1, 1, ...) with batch), smooth_nr,
/// smooth_dr and batch (sum the weighted areas over the batch first).
#define MEDULLA_GENERALIZED_DICE_ARGS                                                              \
    MEDULLA_LOSS_PREP_ARGS;                                                                        \
    TORCH_ARG(std::string, w_type) = "square";                                                     \
    TORCH_ARG(std::string, reduction) = "mean";                                                    \
    TORCH_ARG(double, smooth_nr) = 1e-5;                                                           \
    TORCH_ARG(double, smooth_dr) = 1e-5;                                                           \
    TORCH_ARG(bool, batch) = false

namespace medulla {

struct GeneralizedDiceLossOptions {
    MEDULLA_GENERALIZED_DICE_ARGS;
};

class GeneralizedDiceLoss : public Loss {
public:
    /// ConfigError (under `context`) for an unknown w_type or reduction or
    /// conflicting activations.
    explicit GeneralizedDiceLoss(GeneralizedDiceLossOptions options, std::string context = "loss");
    static ComponentInfo info();
    /// GeneralizedDiceLoss's parameter specs (shared with GeneralizedDiceFocalLoss).
    static std::vector<ParamSpec> params();
    static std::shared_ptr<Loss> fromJson(const Json& config, const std::string& context);

    /// input (B, C, *spatial); target (B, 1, *spatial) labels with
    /// to_onehot_y, else (B, C, *spatial). ShapeError on mismatched shapes.
    at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const override;
    Json toJson() const override;

private:
    GeneralizedDiceLossOptions options_;
    std::string context_;
};

/// Reads MEDULLA_GENERALIZED_DICE_ARGS into any Options struct declaring them.
template <class O> O readGeneralizedDiceArgs(const ParamReader& r, O o) {
    o = lossterms::readPrep(r, std::move(o));
    o.w_type(r.string("w_type"))
        .reduction(r.string("reduction"))
        .smooth_nr(r.number("smooth_nr"))
        .smooth_dr(r.number("smooth_dr"))
        .batch(r.boolean("batch"));
    return o;
}

/// Writes MEDULLA_GENERALIZED_DICE_ARGS of any Options struct declaring them.
template <class O> void writeGeneralizedDiceArgs(Json& j, const O& o) {
    lossterms::writePrep(j, o);
    j["w_type"] = o.w_type();
    j["reduction"] = o.reduction();
    j["smooth_nr"] = o.smooth_nr();
    j["smooth_dr"] = o.smooth_dr();
    j["batch"] = o.batch();
}

/// The GeneralizedDiceLossOptions inside another Options struct.
template <class O> GeneralizedDiceLossOptions generalizedDiceOptionsOf(const O& o) {
    return GeneralizedDiceLossOptions()
        .include_background(o.include_background())
        .to_onehot_y(o.to_onehot_y())
        .sigmoid(o.sigmoid())
        .softmax(o.softmax())
        .other_act(o.other_act())
        .w_type(o.w_type())
        .reduction(o.reduction())
        .smooth_nr(o.smooth_nr())
        .smooth_dr(o.smooth_dr())
        .batch(o.batch());
}

} // namespace medulla
