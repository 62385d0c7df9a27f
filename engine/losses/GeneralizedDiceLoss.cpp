#include "engine/losses/GeneralizedDiceLoss.h"

#include <ATen/ATen.h>

namespace medulla {

GeneralizedDiceLoss::GeneralizedDiceLoss(GeneralizedDiceLossOptions o, std::string context)
    : options_(std::move(o)), context_(std::move(context)) {
    lossterms::checkPrep(lossterms::prepOf(options_), context_);
    lossterms::checkReduction(options_.reduction(), context_ + ".reduction");
    const auto& w = options_.w_type();
    if (w != "square" && w != "simple" && w != "uniform")
        throw ConfigError("\"" + w + "\" is not one of: square, simple, uniform", {},
                          context_ + ".w_type");
}

at::Tensor GeneralizedDiceLoss::operator()(const at::Tensor& input,
                                           const at::Tensor& target) const {
    const std::string label = "GeneralizedDiceLoss";
    lossterms::checkRank(input, 3, label);
    const auto [x, y] = lossterms::prepare(input, target, lossterms::prepOf(options_), label);
    const bool batch = options_.batch();
    const auto axes = lossterms::reduceAxes(x.dim(), batch);
    const at::Tensor inter = (y * x).sum(axes);
    const at::Tensor groundO = y.sum(axes);
    const at::Tensor denom = groundO + x.sum(axes);
    at::Tensor w = options_.w_type() == "simple"   ? groundO.reciprocal()
                   : options_.w_type() == "square" ? (groundO * groundO).reciprocal()
                                                   : at::ones_like(groundO);
    // Absent classes (1/0 = inf) take the largest finite weight.
    const at::Tensor infs = at::isinf(w);
    w = at::where(infs, at::zeros_like(w), w);
    const at::Tensor maxW = batch ? w.max() : std::get<0>(w.max(1, true));
    w = w + infs.to(w.scalar_type()) * maxW;
    const int64_t dim = batch ? 0 : 1;
    const at::Tensor numer = 2.0 * (inter * w).sum(dim, true) + options_.smooth_nr();
    const at::Tensor den = (denom * w).sum(dim, true) + options_.smooth_dr();
    const at::Tensor f = 1.0 - numer / den;
    if (options_.reduction() == "none")
        return lossterms::broadcastable(f, x.dim());
    return lossterms::reduce(f, options_.reduction());
}

std::vector<ParamSpec> GeneralizedDiceLoss::params() {
    using namespace lossterms;
    return join({prepParams(),
                 {{"w_type",
                   ParamType::String,
                   "square",
                   0,
                   0,
                   {"square", "simple", "uniform"},
                   "class weight from the target volume V: 1/V^2, 1/V or 1"},
                  reductionParam()},
                 smoothParams(),
                 {batchParam()}});
}

ComponentInfo GeneralizedDiceLoss::info() {
    return {"GeneralizedDiceLoss", "loss", "MONAI's generalised Dice loss (volume-weighted).",
            params()};
}

std::shared_ptr<Loss> GeneralizedDiceLoss::fromJson(const Json& config,
                                                    const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<GeneralizedDiceLoss>(
        readGeneralizedDiceArgs(r, GeneralizedDiceLossOptions()), context);
}

Json GeneralizedDiceLoss::toJson() const {
    Json j = {{"name", "GeneralizedDiceLoss"}};
    writeGeneralizedDiceArgs(j, options_);
    return j;
}

} // namespace medulla
