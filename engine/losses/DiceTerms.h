#pragma once
/// What MONAI's Dice-family losses share: the input/target preparation
/// (activation, one-hot target, dropping the background channel, in MONAI's
/// order), the reductions and unreduced shapes, class weights, and the specs
/// and JSON plumbing of the parameters they have in common. Pure tensor ops:
/// device- and dtype-agnostic, differentiable with respect to the input.

#include <ATen/Tensor.h>
#include <torch/arg.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/Params.h"

/// The preparation parameters of an Options struct, MONAI's names and
/// defaults: include_background (keep channel 0), to_onehot_y (the target is a
/// (B, 1, *spatial) label map to one-hot encode with C = input.size(1)
/// classes), sigmoid, softmax (over the channel axis) and other_act (a name
/// from lossterms::activationNames(), "none" for MONAI's None). At most one of
/// sigmoid, softmax and other_act.
#define MEDULLA_LOSS_PREP_ARGS                                                                     \
    TORCH_ARG(bool, include_background) = true;                                                    \
    TORCH_ARG(bool, to_onehot_y) = false;                                                          \
    TORCH_ARG(bool, sigmoid) = false;                                                              \
    TORCH_ARG(bool, softmax) = false;                                                              \
    TORCH_ARG(std::string, other_act) = "none"

namespace medulla::lossterms {

/// The preparation settings of one loss (see MEDULLA_LOSS_PREP_ARGS).
struct Prep {
    bool includeBackground = true;
    bool toOnehotY = false;
    bool sigmoid = false;
    bool softmax = false;
    std::string otherAct = "none";
};

template <class O> Prep prepOf(const O& o) {
    return {o.include_background(), o.to_onehot_y(), o.sigmoid(), o.softmax(), o.other_act()};
}

/// Names other_act accepts: "none" and element-wise or channel-wise (axis 1)
/// activations ("sigmoid", "softmax", "log_softmax", "tanh", "relu", ...).
const std::vector<std::string>& activationNames();
/// Applies the named activation; softmax and log_softmax over axis 1.
at::Tensor activate(const at::Tensor& x, const std::string& name);
/// ConfigError naming `context`.softmax or `context`.other_act when more than
/// one activation is chosen or other_act is unknown.
void checkPrep(const Prep& p, const std::string& context);

/// labels (B, 1, *spatial), integer-valued of any dtype (truncated to int64
/// as MONAI's .long()) -> (B, numClasses, *spatial) of `dtype`. ShapeError
/// naming "target" for another shape or (CPU) a label outside the classes.
at::Tensor oneHot(const at::Tensor& labels, int64_t numClasses, at::ScalarType dtype,
                  const std::string& loss);
/// ShapeError when a label lies outside [0, numClasses). Checked for CPU
/// tensors only: elsewhere the check would synchronise with the device.
void checkLabels(const at::Tensor& labels, int64_t numClasses, const std::string& loss);
/// ShapeError naming the input's shape unless input.dim() >= minRank.
void checkRank(const at::Tensor& input, int64_t minRank, const std::string& loss);

/// The checks of MONAI's compound losses (DiceCE, DiceFocal, ...): input
/// rank >= 3, equal ranks and a target of 1 or C channels; ShapeError
/// naming both shapes otherwise.
void checkCompound(const at::Tensor& input, const at::Tensor& target, const std::string& loss);

/// MONAI's preparation, in MONAI's order: sigmoid / softmax (ignored for one
/// channel) / other_act over all channels, one-hot target (ignored for one
/// channel), then channel 0 dropped from both (ignored for one channel).
/// Returns (input, target) of equal shapes, the target in the input's dtype;
/// ShapeError naming both original shapes otherwise.
std::pair<at::Tensor, at::Tensor> prepare(const at::Tensor& input, const at::Tensor& target,
                                          const Prep& p, const std::string& loss);

/// Axes 2.. of a tensor of rank `rank`, with 0 in front when `batch`.
std::vector<int64_t> reduceAxes(int64_t rank, bool batch);
/// Class weights as a (n,) tensor of like's dtype and device: one entry is
/// used for every class, otherwise exactly n entries (ConfigError at `field`
/// saying how many are expected and `which` classes they are for).
at::Tensor classWeights(const std::vector<double>& w, int64_t n, const at::Tensor& like,
                        const std::string& field, const std::string& which);
/// "mean" -> mean of every element, "sum" -> sum, anything else unchanged.
at::Tensor reduce(const at::Tensor& f, const std::string& reduction);
/// MONAI's unreduced Dice shape: f's first two axes then rank - 2 ones.
at::Tensor broadcastable(const at::Tensor& f, int64_t rank);

/// ConfigError at `field` unless "mean", "sum" (or "none" if allowed).
void checkReduction(const std::string& r, const std::string& field, bool allowNone = true);
/// ConfigError at `field` when a value is negative.
void checkNonNegative(const std::vector<double>& values, const std::string& field);
void checkNonNegative(double value, const std::string& field);

/// Specs of include_background and to_onehot_y.
std::vector<ParamSpec> targetParams();
/// Specs of include_background, to_onehot_y, sigmoid, softmax, other_act.
std::vector<ParamSpec> prepParams();
/// The focal exponent gamma (>= 0, MONAI default 2).
ParamSpec gammaParam();
ParamSpec reductionParam(bool allowNone = true);
/// smooth_nr and smooth_dr (MONAI default 1e-5).
std::vector<ParamSpec> smoothParams();
ParamSpec batchParam();
ParamSpec weightParam(const std::string& help);
/// A trade-off weight >= 0 with default 1.
ParamSpec lambdaParam(const std::string& name, const std::string& help);
/// Concatenation of spec lists.
std::vector<ParamSpec> join(std::initializer_list<std::vector<ParamSpec>> parts);

/// other_act from JSON: null or "none" -> "none".
std::string readActivation(const ParamReader& r);
/// "none" -> null (MONAI's None), other names unchanged.
Json activationJson(const std::string& name);
/// A number or null/"none" (std::nullopt) within [lo, hi].
std::optional<double> readOptionalNumber(const ParamReader& r, const std::string& key, double lo,
                                         double hi);

template <class O> O readPrep(const ParamReader& r, O o) {
    o.include_background(r.boolean("include_background"))
        .to_onehot_y(r.boolean("to_onehot_y"))
        .sigmoid(r.boolean("sigmoid"))
        .softmax(r.boolean("softmax"))
        .other_act(readActivation(r));
    return o;
}

template <class O> void writePrep(Json& j, const O& o) {
    j["include_background"] = o.include_background();
    j["to_onehot_y"] = o.to_onehot_y();
    j["sigmoid"] = o.sigmoid();
    j["softmax"] = o.softmax();
    j["other_act"] = activationJson(o.other_act());
}

} // namespace medulla::lossterms
