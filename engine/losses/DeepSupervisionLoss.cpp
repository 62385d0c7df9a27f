#include "engine/losses/DeepSupervisionLoss.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace medulla {
namespace {

/// The target resized by nearest-exact interpolation to `spatial`;
/// `channelAxis` false for (B, *spatial) label maps.
at::Tensor resizeTarget(const at::Tensor& target, at::IntArrayRef spatial, bool channelAxis) {
    at::Tensor t = channelAxis ? target : target.unsqueeze(1);
    if (t.sizes().slice(2) == spatial)
        return target;
    // Interpolate in floating point; labels stay exact under nearest.
    const at::Tensor f = t.is_floating_point() ? t : t.to(at::kDouble);
    at::Tensor r;
    if (spatial.size() == 1)
        r = at::_upsample_nearest_exact1d(f, spatial);
    else if (spatial.size() == 2)
        r = at::_upsample_nearest_exact2d(f, spatial);
    else if (spatial.size() == 3)
        r = at::_upsample_nearest_exact3d(f, spatial);
    else
        throw ShapeError("DeepSupervisionLoss: cannot resize target " + c10::str(target.sizes()) +
                         " (1 to 3 spatial axes)");
    r = r.to(t.scalar_type());
    return channelAxis ? r : r.squeeze(1);
}

} // namespace

DeepSupervisionLoss::DeepSupervisionLoss(DeepSupervisionLossOptions o, std::string context)
    : options_(std::move(o)) {
    const auto& mode = options_.weight_mode();
    if (mode != "exp" && mode != "same" && mode != "two")
        throw ConfigError("\"" + mode + "\" is not one of: same, exp, two", {},
                          context + ".weight_mode");
    for (size_t i = 0; i < options_.weights().size(); ++i)
        if (!std::isfinite(options_.weights()[i]))
            throw ConfigError("must be finite", {},
                              context + ".weights[" + std::to_string(i) + "]");
    loss_ = lossRegistry().create(options_.loss(), context + ".loss");
}

std::vector<double> DeepSupervisionLoss::weights(int64_t levels) const {
    levels = std::max<int64_t>(1, levels);
    const auto& given = options_.weights();
    if (int64_t(given.size()) >= levels)
        return {given.begin(), given.begin() + levels};
    std::vector<double> w(size_t(levels), 1.0);
    for (int64_t l = 1; l < levels; ++l) {
        if (options_.weight_mode() == "exp")
            w[size_t(l)] = std::max(std::pow(0.5, double(l)), 0.0625);
        else if (options_.weight_mode() == "two")
            w[size_t(l)] = 0.5;
    }
    return w;
}

at::Tensor DeepSupervisionLoss::operator()(const at::Tensor& input,
                                           const at::Tensor& target) const {
    const int64_t offset = loss_->targetRankOffset();
    if (input.dim() != target.dim() + 1 - offset)
        return (*loss_)(input, target);
    const std::vector<at::Tensor> heads = input.unbind(1);
    const std::vector<double> w = weights(int64_t(heads.size()));
    at::Tensor total;
    for (size_t l = 0; l < heads.size(); ++l) {
        const at::Tensor t = resizeTarget(target, heads[l].sizes().slice(2), offset == 0);
        const at::Tensor term = w[l] * (*loss_)(heads[l], t);
        total = total.defined() ? total + term : term;
    }
    return total;
}

ComponentInfo DeepSupervisionLoss::info() {
    return {"DeepSupervisionLoss",
            "loss",
            "MONAI's deep-supervision wrapper: a weighted sum of a loss over the output heads.",
            {{"loss",
              ParamType::Object,
              Json(),
              0,
              0,
              {},
              "the wrapped loss, e.g. {\"name\": \"DiceCELoss\", \"to_onehot_y\": true, "
              "\"softmax\": true}; required"},
             {"weight_mode",
              ParamType::String,
              "exp",
              0,
              0,
              {"same", "exp", "two"},
              "head weights: exp 1, 0.5, 0.25, ...; same all 1; two 1, 0.5, 0.5, ..."},
             {"weights",
              ParamType::FloatList,
              Json::array(),
              -1e9,
              1e9,
              {},
              "explicit head weights (used when at least one per head); empty or null: "
              "weight_mode"}}};
}

std::shared_ptr<Loss> DeepSupervisionLoss::fromJson(const Json& config,
                                                    const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<DeepSupervisionLoss>(DeepSupervisionLossOptions()
                                                     .loss(r.raw("loss"))
                                                     .weight_mode(r.string("weight_mode"))
                                                     .weights(r.numberList("weights")),
                                                 context);
}

Json DeepSupervisionLoss::toJson() const {
    return {{"name", "DeepSupervisionLoss"},
            {"loss", loss_->toJson()},
            {"weight_mode", options_.weight_mode()},
            {"weights", options_.weights().empty() ? Json() : Json(options_.weights())}};
}

} // namespace medulla
