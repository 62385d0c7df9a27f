#pragma once
/// MONAI's DiceLoss: 1 - (2|X.Y| + smooth_nr) / (|X| + |Y| + smooth_dr) per
/// sample and class (or per class over the batch), with MONAI's order of
/// operations: activation over all channels, one-hot, then dropping the
/// background channel.

#include <torch/arg.h>

#include "engine/losses/DiceTerms.h"
#include "engine/losses/Loss.h"

/// The parameters of MONAI's DiceLoss (also those of DiceCELoss and
/// DiceFocalLoss): the preparation (MEDULLA_LOSS_PREP_ARGS), squared_pred
/// (squares in the denominator), jaccard (soft IoU instead of Dice), reduction
/// ("mean", "sum" or "none"), smooth_nr, smooth_dr, batch (sum the areas over
/// the batch before dividing) and weight (per-class weights >= 0, one entry
/// per class after the background is dropped, or one entry for all; empty =
/// none).
#define MEDULLA_DICE_LOSS_ARGS                                                                     \
    MEDULLA_LOSS_PREP_ARGS;                                                                        \
    TORCH_ARG(bool, squared_pred) = false;                                                         \
    TORCH_ARG(bool, jaccard) = false;                                                              \
    TORCH_ARG(std::string, reduction) = "mean";                                                    \
    TORCH_ARG(double, smooth_nr) = 1e-5;                                                           \
    TORCH_ARG(double, smooth_dr) = 1e-5;                                                           \
    TORCH_ARG(bool, batch) = false;                                                                \
    TORCH_ARG(std::vector<double>, weight) = {}

namespace medulla {

struct DiceLossOptions {
    MEDULLA_DICE_LOSS_ARGS;
};

class DiceLoss : public Loss {
public:
    /// Throws ConfigError (fields under `context`) for conflicting
    /// activations, an unknown reduction or negative weights. `label` names
    /// the loss in shape errors.
    explicit DiceLoss(DiceLossOptions options, std::string context = "loss",
                      std::string label = "DiceLoss");
    static ComponentInfo info();
    /// DiceLoss's parameter specs (shared by the losses that embed it).
    static std::vector<ParamSpec> params(bool allowNoneReduction = true);
    static std::shared_ptr<Loss> fromJson(const Json& config, const std::string& context);

    /// input (B, C, *spatial) with at least one spatial axis; target
    /// (B, 1, *spatial) labels with to_onehot_y, else (B, C, *spatial).
    /// Result 0-d for mean/sum; for "none" (B, C', 1, ...) with C' the classes
    /// kept, or (C', 1, ...) with batch. Throws ShapeError on mismatched
    /// shapes, ConfigError (field weight) for a wrong number of weights.
    at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const override;
    Json toJson() const override;
    const DiceLossOptions& options() const { return options_; }

protected:
    DiceLossOptions options_;
    std::string context_;
    std::string label_;
};

/// Reads MEDULLA_DICE_LOSS_ARGS into any Options struct that declares them.
template <class O> O readDiceArgs(const ParamReader& r, O o) {
    o = lossterms::readPrep(r, std::move(o));
    o.squared_pred(r.boolean("squared_pred"))
        .jaccard(r.boolean("jaccard"))
        .reduction(r.string("reduction"))
        .smooth_nr(r.number("smooth_nr"))
        .smooth_dr(r.number("smooth_dr"))
        .batch(r.boolean("batch"))
        .weight(r.numberList("weight"));
    return o;
}

/// Writes MEDULLA_DICE_LOSS_ARGS of any Options struct that declares them.
template <class O> void writeDiceArgs(Json& j, const O& o) {
    lossterms::writePrep(j, o);
    j["squared_pred"] = o.squared_pred();
    j["jaccard"] = o.jaccard();
    j["reduction"] = o.reduction();
    j["smooth_nr"] = o.smooth_nr();
    j["smooth_dr"] = o.smooth_dr();
    j["batch"] = o.batch();
    j["weight"] = o.weight();
}

/// The DiceLossOptions inside another Options struct with the same arguments.
template <class O> DiceLossOptions diceOptionsOf(const O& o) {
    return DiceLossOptions()
        .include_background(o.include_background())
        .to_onehot_y(o.to_onehot_y())
        .sigmoid(o.sigmoid())
        .softmax(o.softmax())
        .other_act(o.other_act())
        .squared_pred(o.squared_pred())
        .jaccard(o.jaccard())
        .reduction(o.reduction())
        .smooth_nr(o.smooth_nr())
        .smooth_dr(o.smooth_dr())
        .batch(o.batch())
        .weight(o.weight());
}

} // namespace medulla
