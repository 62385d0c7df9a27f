#include "engine/training/GradScaler.h"

#include <ATen/ATen.h>
#include <torch/optim/optimizer.h>

#include <cmath>
#include <limits>
#include <tuple>

#include "engine/core/Error.h"

namespace medulla {

namespace {

/// Gradients of every parameter of `optimizer`, grouped by (device, dtype):
/// ATen's fused CUDA kernel wants one device and one dtype per call.
std::map<std::tuple<c10::DeviceType, c10::DeviceIndex, c10::ScalarType>, std::vector<at::Tensor>>
groupedGradients(torch::optim::Optimizer& optimizer) {
    std::map<std::tuple<c10::DeviceType, c10::DeviceIndex, c10::ScalarType>,
             std::vector<at::Tensor>>
        groups;
    for (auto& group : optimizer.param_groups())
        for (auto& p : group.params()) {
            const at::Tensor& g = p.grad();
            if (!g.defined())
                continue;
            if (g.is_sparse())
                throw Error("GradScaler.unscale_: sparse gradients are not supported");
            if (g.scalar_type() == at::kHalf)
                throw Error("GradScaler.unscale_: cannot unscale float16 gradients (keep the "
                            "parameters in float32; autocast casts them for the forward pass)");
            if (!g.is_floating_point())
                throw Error("GradScaler.unscale_: gradient of dtype " +
                            std::string(c10::toString(g.scalar_type())) + " is not floating point");
            groups[{g.device().type(), g.device().index(), g.scalar_type()}].push_back(g);
        }
    return groups;
}

/// CPU twin of at::_amp_foreach_non_finite_check_and_unscale_: flags any
/// inf/NaN in `grads` into foundInf (float32 0/1) and multiplies every
/// gradient by invScale (float32, one element) in place.
void checkAndUnscaleCpu(const std::vector<at::Tensor>& grads, at::Tensor& foundInf,
                        const at::Tensor& invScale) {
    for (const at::Tensor& g : grads) {
        if (at::logical_not(at::isfinite(g)).any().item<bool>())
            foundInf.fill_(1.0);
        at::Tensor gm = g; // a handle: mul_ writes the gradient itself
        gm.mul_(invScale);
    }
}

/// CPU twin of at::_amp_update_scale_ (float32 scale arithmetic, as the
/// CUDA kernel).
void updateScaleCpu(at::Tensor& scale, at::Tensor& tracker, const at::Tensor& foundInf,
                    double growthFactor, double backoffFactor, int64_t growthInterval) {
    float s = scale.item<float>();
    int32_t t = tracker.item<int32_t>();
    if (foundInf.item<float>() != 0.0f) {
        s *= float(backoffFactor);
        t = 0;
    } else {
        const int64_t good = int64_t(t) + 1;
        if (good >= growthInterval) {
            const float grown = s * float(growthFactor);
            if (std::isfinite(grown))
                s = grown;
            t = 0;
        } else {
            t = int32_t(good);
        }
    }
    scale.fill_(s);
    tracker.fill_(t);
}

} // namespace

GradScaler::GradScaler(GradScalerOptions options)
    : options_(options), pendingScale_(options.init_scale()) {
    if (!(options_.init_scale() > 0) || !std::isfinite(options_.init_scale()))
        throw ConfigError("must be a finite number > 0, got " +
                              std::to_string(options_.init_scale()),
                          {}, "init_scale");
    if (!(options_.growth_factor() > 1.0) || !std::isfinite(options_.growth_factor()))
        throw ConfigError("must be > 1, got " + std::to_string(options_.growth_factor()), {},
                          "growth_factor");
    if (!(options_.backoff_factor() > 0.0 && options_.backoff_factor() < 1.0))
        throw ConfigError("must be in (0, 1), got " + std::to_string(options_.backoff_factor()), {},
                          "backoff_factor");
    if (options_.growth_interval() < 1 ||
        options_.growth_interval() > std::numeric_limits<int32_t>::max())
        throw ConfigError("must be >= 1, got " + std::to_string(options_.growth_interval()), {},
                          "growth_interval");
}

void GradScaler::initScale(const at::Device& device) {
    const auto f32 = at::TensorOptions().dtype(at::kFloat).device(device);
    scale_ = at::full({1}, pendingScale_, f32);
    growthTracker_ = at::full({1}, pendingTracker_, f32.dtype(at::kInt));
}

at::Tensor GradScaler::scale(const at::Tensor& loss) {
    if (!isEnabled())
        return loss;
    if (!scale_.defined())
        initScale(loss.device());
    const at::Tensor s = scale_.to(loss.device(), /*non_blocking=*/true).reshape({});
    const bool low = loss.scalar_type() == at::kHalf || loss.scalar_type() == at::kBFloat16;
    return (low ? loss.to(at::kFloat) : loss) * s;
}

GradScaler::PerOptimizer& GradScaler::perOptimizer(const torch::optim::Optimizer& optimizer) {
    return perOptimizer_[&optimizer];
}

void GradScaler::unscale_(torch::optim::Optimizer& optimizer) {
    if (!isEnabled())
        return;
    PerOptimizer& state = perOptimizer(optimizer);
    if (state.stage == Stage::Unscaled)
        throw Error("GradScaler.unscale_: already called on this optimizer since the last "
                    "update()");
    if (state.stage == Stage::Stepped)
        throw Error("GradScaler.unscale_: called after step(); call update() first");
    if (!scale_.defined())
        throw Error("GradScaler.unscale_: no scale yet; scale the loss with scale(loss) before "
                    "backward()");

    at::NoGradGuard noGrad;
    const at::Tensor invScale = scale_.to(at::kDouble).reciprocal().to(at::kFloat);
    std::map<std::pair<c10::DeviceType, c10::DeviceIndex>, at::Tensor> foundPerDevice;
    for (auto& [key, grads] : groupedGradients(optimizer)) {
        const at::Device device(std::get<0>(key), std::get<1>(key));
        at::Tensor& found = foundPerDevice[{device.type(), device.index()}];
        if (!found.defined())
            found = at::zeros({1}, at::TensorOptions().dtype(at::kFloat).device(device));
        const at::Tensor inv = invScale.to(device, /*non_blocking=*/true);
        if (device.is_cuda())
            at::_amp_foreach_non_finite_check_and_unscale_(grads, found, inv);
        else
            checkAndUnscaleCpu(grads, found, inv);
    }
    state.foundInf.clear();
    for (auto& entry : foundPerDevice)
        state.foundInf.push_back(entry.second);
    state.stage = Stage::Unscaled;
}

bool GradScaler::step(torch::optim::Optimizer& optimizer) {
    if (!isEnabled()) {
        optimizer.step();
        ++stepsTaken_;
        return true;
    }
    PerOptimizer& state = perOptimizer(optimizer);
    if (state.stage == Stage::Stepped)
        throw Error("GradScaler.step: already called on this optimizer since the last update()");
    if (state.stage == Stage::Ready)
        unscale_(optimizer);
    if (state.foundInf.empty()) {
        perOptimizer_.erase(&optimizer); // nothing recorded: the iteration may be retried
        throw Error("GradScaler.step: none of the optimizer's parameters has a gradient "
                    "(was backward() called on the scaled loss?)");
    }
    double found = 0;
    for (const at::Tensor& f : state.foundInf)
        found += f.item<double>();
    state.stage = Stage::Stepped;
    if (found != 0) {
        ++stepsSkipped_;
        return false;
    }
    optimizer.step();
    ++stepsTaken_;
    return true;
}

void GradScaler::update(std::optional<double> newScale) {
    if (!isEnabled())
        return;
    if (newScale) {
        if (!(*newScale > 0) || !std::isfinite(*newScale))
            throw ConfigError("must be a finite number > 0, got " + std::to_string(*newScale), {},
                              "new_scale");
        if (scale_.defined())
            scale_.fill_(*newScale);
        else
            pendingScale_ = *newScale;
    } else {
        if (!scale_.defined())
            throw Error("GradScaler.update: no scale yet; scale the loss with scale(loss) first");
        at::Tensor combined;
        for (const auto& entry : perOptimizer_)
            for (const at::Tensor& f : entry.second.foundInf) {
                at::Tensor onScaleDevice = f.to(scale_.device(), /*non_blocking=*/true);
                combined = combined.defined() ? combined + onScaleDevice : onScaleDevice.clone();
            }
        if (!combined.defined())
            throw Error("GradScaler.update: no gradients were unscaled since the last update() "
                        "(call step() or unscale_() first)");
        if (scale_.is_cuda())
            at::_amp_update_scale_(scale_, growthTracker_, combined, options_.growth_factor(),
                                   options_.backoff_factor(), options_.growth_interval());
        else
            updateScaleCpu(scale_, growthTracker_, combined, options_.growth_factor(),
                           options_.backoff_factor(), options_.growth_interval());
    }
    perOptimizer_.clear();
}

double GradScaler::getScale() const {
    if (!isEnabled())
        return 1.0;
    return scale_.defined() ? scale_.item<double>() : pendingScale_;
}

int64_t GradScaler::growthTracker() const {
    if (!isEnabled())
        return 0;
    return growthTracker_.defined() ? growthTracker_.item<int64_t>() : pendingTracker_;
}

nlohmann::json GradScaler::state() const {
    if (!isEnabled())
        return nlohmann::json::object();
    return {{"scale", getScale()},
            {"growth_factor", options_.growth_factor()},
            {"backoff_factor", options_.backoff_factor()},
            {"growth_interval", options_.growth_interval()},
            {"_growth_tracker", growthTracker()},
            {"steps_taken", stepsTaken_},
            {"steps_skipped", stepsSkipped_}};
}

void GradScaler::loadState(const nlohmann::json& state) {
    if (!isEnabled())
        return;
    if (!state.is_object() || state.empty())
        throw ConfigError("the saved GradScaler state is empty (saved by a disabled scaler?)", {},
                          "scaler");
    auto number = [&](const char* key) {
        auto it = state.find(key);
        if (it == state.end() || !it->is_number())
            throw ConfigError("missing or not a number", {}, std::string("scaler.") + key);
        return it->get<double>();
    };
    auto integer = [&](const char* key, bool optional) -> int64_t {
        auto it = state.find(key);
        if (it == state.end() && optional)
            return 0;
        if (it == state.end() || !it->is_number_integer() || it->get<int64_t>() < 0)
            throw ConfigError("missing or not an integer >= 0", {}, std::string("scaler.") + key);
        return it->get<int64_t>();
    };
    GradScalerOptions o = options_;
    o.init_scale(number("scale"))
        .growth_factor(number("growth_factor"))
        .backoff_factor(number("backoff_factor"))
        .growth_interval(integer("growth_interval", false));
    try {
        GradScaler check(o); // validates the ranges
    } catch (const ConfigError& e) {
        throw ConfigError(e.message(), {}, "scaler." + e.field());
    }
    const int64_t tracker = integer("_growth_tracker", false);
    if (tracker > std::numeric_limits<int32_t>::max())
        throw ConfigError("out of range", {}, "scaler._growth_tracker");
    options_ = o;
    pendingScale_ = o.init_scale();
    pendingTracker_ = tracker;
    if (scale_.defined()) {
        scale_.fill_(pendingScale_);
        growthTracker_.fill_(pendingTracker_);
    }
    stepsTaken_ = integer("steps_taken", true);
    stepsSkipped_ = integer("steps_skipped", true);
    perOptimizer_.clear();
}

} // namespace medulla
