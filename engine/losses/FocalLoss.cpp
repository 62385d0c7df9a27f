#include "engine/losses/FocalLoss.h"

#include <ATen/ATen.h>

#include "engine/losses/DiceTerms.h"

namespace medulla {
namespace {

/// A per-channel factor (C,) reshaped to broadcast over (B, C, *spatial).
at::Tensor perChannel(const at::Tensor& factor, int64_t rank) {
    std::vector<int64_t> shape(size_t(rank - 1), 1);
    shape[0] = -1;
    return factor.view(shape);
}

at::Tensor softmaxFocal(const at::Tensor& x, const at::Tensor& t, double gamma,
                        const std::optional<double>& alpha) {
    const at::Tensor ls = x.log_softmax(1);
    at::Tensor loss = -(1.0 - ls.exp()).pow(gamma) * ls * t;
    if (alpha) {
        const at::Tensor fac = at::cat({at::full({1}, 1.0 - *alpha, loss.options()),
                                        at::full({t.size(1) - 1}, *alpha, loss.options())});
        loss = perChannel(fac, t.dim()) * loss;
    }
    return loss;
}

at::Tensor sigmoidFocal(const at::Tensor& x, const at::Tensor& t, double gamma,
                        const std::optional<double>& alpha) {
    // Binary cross-entropy with logits, then (1 - p_t)^gamma as
    // exp(gamma * log sigmoid(-x (2t - 1))), which does not overflow.
    at::Tensor loss = x - x * t - at::log_sigmoid(x);
    const at::Tensor logInvProbs = at::log_sigmoid(-x * (t * 2.0 - 1.0));
    loss = (logInvProbs * gamma).exp() * loss;
    if (alpha)
        loss = (t * *alpha + (1.0 - t) * (1.0 - *alpha)) * loss;
    return loss;
}

} // namespace

FocalLoss::FocalLoss(FocalLossOptions o, std::string context)
    : options_(std::move(o)), context_(std::move(context)) {
    lossterms::checkNonNegative(options_.gamma(), context_ + ".gamma");
    if (options_.alpha() && !(*options_.alpha() >= 0 && *options_.alpha() <= 1))
        throw ConfigError("must be in [0, 1] or null, got " + Json(*options_.alpha()).dump(), {},
                          context_ + ".alpha");
    lossterms::checkNonNegative(options_.weight(), context_ + ".weight");
    lossterms::checkReduction(options_.reduction(), context_ + ".reduction");
}

at::Tensor FocalLoss::operator()(const at::Tensor& input, const at::Tensor& target) const {
    const std::string label = "FocalLoss";
    lossterms::checkRank(input, 2, label);
    lossterms::Prep prep;
    prep.includeBackground = options_.include_background();
    prep.toOnehotY = options_.to_onehot_y();
    const auto [x, t] = lossterms::prepare(input, target, prep, label);
    at::Tensor loss;
    if (options_.use_softmax()) {
        // MONAI ignores alpha with the softmax when the background is dropped.
        static const std::optional<double> none;
        loss = softmaxFocal(x, t, options_.gamma(),
                            options_.include_background() ? options_.alpha() : none);
    } else {
        loss = sigmoidFocal(x, t, options_.gamma(), options_.alpha());
    }
    const int64_t classes = t.size(1);
    if (!options_.weight().empty() && classes != 1)
        loss = perChannel(lossterms::classWeights(
                              options_.weight(), classes, loss, context_ + ".weight",
                              "class, without class 0 when include_background is false"),
                          loss.dim()) *
               loss;
    if (options_.reduction() == "sum" && loss.dim() > 2)
        loss = loss.mean(lossterms::reduceAxes(loss.dim(), false));
    return lossterms::reduce(loss, options_.reduction());
}

ComponentInfo FocalLoss::info() {
    using namespace lossterms;
    return {"FocalLoss", "loss",
            "MONAI's focal loss on logits (sigmoid, or softmax with use_softmax).",
            join({targetParams(),
                  {gammaParam(),
                   {"alpha",
                    ParamType::Object,
                    "none",
                    0,
                    1,
                    {},
                    "balance in [0, 1] (null: none); softmax: 1 - alpha for channel 0"},
                   weightParam("per-class weights >= 0 (one per class kept, or one for all; "
                               "empty: none)"),
                   reductionParam(),
                   {"use_softmax",
                    ParamType::Bool,
                    false,
                    0,
                    1,
                    {},
                    "softmax focal loss instead of the sigmoid one"}}})};
}

std::shared_ptr<Loss> FocalLoss::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<FocalLoss>(FocalLossOptions()
                                           .include_background(r.boolean("include_background"))
                                           .to_onehot_y(r.boolean("to_onehot_y"))
                                           .gamma(r.number("gamma"))
                                           .alpha(lossterms::readOptionalNumber(r, "alpha", 0, 1))
                                           .weight(r.numberList("weight"))
                                           .reduction(r.string("reduction"))
                                           .use_softmax(r.boolean("use_softmax")),
                                       context);
}

Json FocalLoss::toJson() const {
    const auto& o = options_;
    return {{"name", "FocalLoss"},
            {"include_background", o.include_background()},
            {"to_onehot_y", o.to_onehot_y()},
            {"gamma", o.gamma()},
            {"alpha", o.alpha() ? Json(*o.alpha()) : Json()},
            {"weight", o.weight()},
            {"reduction", o.reduction()},
            {"use_softmax", o.use_softmax()}};
}

} // namespace medulla
