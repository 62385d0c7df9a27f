#include "engine/optim/LrScheduler.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"

namespace medulla {

LrScheduler::LrScheduler(torch::optim::Optimizer& optimizer, LrFormula formula, Json config)
    : optimizer_(optimizer), formula_(std::move(formula)), config_(std::move(config)) {
    for (auto& group : optimizer_.param_groups())
        baseLrs_.push_back(group.options().get_lr());
    apply();
}

void LrScheduler::step() {
    ++lastEpoch_;
    apply();
}

void LrScheduler::apply() {
    auto& groups = optimizer_.param_groups();
    for (size_t g = 0; g < groups.size(); ++g)
        groups[g].options().set_lr(lrAt(lastEpoch_, g));
}

double LrScheduler::lrAt(int64_t step, size_t group) const {
    return formula_(step, baseLrs_.at(group));
}

std::vector<double> LrScheduler::currentLrs() const {
    std::vector<double> out;
    for (const auto& group : optimizer_.param_groups())
        out.push_back(group.options().get_lr());
    return out;
}

bool LrScheduler::epochLevel() const {
    return config_.value("epoch_level", true);
}

Json LrScheduler::state() const {
    return {{"last_epoch", lastEpoch_}, {"base_lrs", baseLrs_}};
}

void LrScheduler::loadState(const Json& state) {
    auto base = state.at("base_lrs").get<std::vector<double>>();
    if (base.size() != optimizer_.param_groups().size())
        throw ConfigError("the saved scheduler has " + std::to_string(base.size()) +
                              " parameter groups, the optimizer " +
                              std::to_string(optimizer_.param_groups().size()),
                          {}, "scheduler");
    baseLrs_ = std::move(base);
    lastEpoch_ = state.at("last_epoch").get<int64_t>();
    apply();
}

namespace {

constexpr double kPi = 3.14159265358979323846;

ParamSpec intParam(const char* name, Json def, double min, const char* help) {
    return {name, ParamType::Int, std::move(def), min, 1e12, {}, help};
}
ParamSpec floatParam(const char* name, Json def, double min, double max, const char* help) {
    return {name, ParamType::Float, std::move(def), min, max, {}, help};
}

const ParamSpec kEpochLevel{"epoch_level",
                            ParamType::Bool,
                            true,
                            0,
                            1,
                            {},
                            "step once per epoch (true) or once per iteration (false)"};

} // namespace

std::vector<ComponentInfo> schedulerInfos() {
    const ParamSpec endLr = floatParam("end_lr", Json(), 0, 1e3, "final learning rate");
    const ParamSpec numIter =
        intParam("num_iter", Json(), 2, "number of steps from the base lr to end_lr");
    return {
        {"WarmupCosineSchedule",
         "scheduler",
         "MONAI: linear warm-up, then cosine decay (never below end_lr after warm-up)",
         {intParam("warmup_steps", Json(), 0, "warm-up steps (clamped to [0, t_total])"),
          intParam("t_total", Json(), 1, "total number of steps"),
          floatParam("end_lr", 0.0, 0, 1e3, "lower bound of the lr after warm-up"),
          floatParam("cycles", 0.5, 0, 1e6, "cosine cycles over the decay"),
          floatParam("warmup_multiplier", 0.0, 0, 1, "fraction of the base lr warm-up starts at"),
          kEpochLevel}},
        {"LinearLR",
         "scheduler",
         "MONAI (range test): lr moves linearly from the base lr to end_lr over num_iter steps",
         {endLr, numIter, kEpochLevel}},
        {"ExponentialLR",
         "scheduler",
         "MONAI (range test): lr moves geometrically from the base lr to end_lr over num_iter "
         "steps",
         {endLr, numIter, kEpochLevel}},
        {"PolynomialLR",
         "scheduler",
         "torch: base lr * (1 - min(step, total_iters) / total_iters)^power (nnU-Net uses 0.9)",
         {intParam("total_iters", 5, 1, "steps until the lr reaches 0"),
          floatParam("power", 1.0, 0, 1e3, "exponent of the decay"), kEpochLevel}},
        {"StepLR",
         "scheduler",
         "torch: base lr * gamma^(step / step_size)",
         {intParam("step_size", Json(), 1, "steps between decays"),
          floatParam("gamma", 0.1, 0, 1e3, "decay factor"), kEpochLevel}},
        {"CosineAnnealingLR",
         "scheduler",
         "torch (closed form): eta_min + (base lr - eta_min) (1 + cos(pi step / T_max)) / 2",
         {intParam("T_max", Json(), 1, "half period in steps"),
          floatParam("eta_min", 0.0, 0, 1e3, "minimum lr"), kEpochLevel}},
    };
}

namespace {

LrFormula formulaOf(const std::string& name, const ParamReader& r) {
    if (name == "WarmupCosineSchedule") {
        const int64_t total = r.integer("t_total");
        const int64_t warmup = std::clamp<int64_t>(r.integer("warmup_steps"), 0, total);
        const double endLr = r.number("end_lr"), cycles = r.number("cycles"),
                     mult = r.number("warmup_multiplier");
        return [=](int64_t step, double base) {
            if (step < warmup) {
                const double f = static_cast<double>(step) / std::max<double>(1.0, warmup);
                return base * (mult + (1 - mult) * f);
            }
            const double progress = static_cast<double>(step - warmup) /
                                    static_cast<double>(std::max<int64_t>(1, total - warmup));
            const double lambda =
                std::max(0.0, 0.5 * (1.0 + std::cos(kPi * cycles * 2.0 * progress)));
            return std::max(endLr, base * lambda);
        };
    }
    if (name == "LinearLR" || name == "ExponentialLR") {
        const double endLr = r.number("end_lr");
        const double n = static_cast<double>(r.integer("num_iter") - 1);
        if (name == "LinearLR")
            return [=](int64_t step, double base) { return base + step / n * (endLr - base); };
        if (endLr <= 0)
            throw ConfigError("must be > 0 for ExponentialLR", {}, r.field("end_lr"));
        return [=](int64_t step, double base) { return base * std::pow(endLr / base, step / n); };
    }
    if (name == "PolynomialLR") {
        const auto total = static_cast<double>(r.integer("total_iters"));
        const double power = r.number("power");
        return [=](int64_t step, double base) {
            return base * std::pow(1.0 - std::min<double>(total, step) / total, power);
        };
    }
    if (name == "StepLR") {
        const int64_t size = r.integer("step_size");
        const double gamma = r.number("gamma");
        return [=](int64_t step, double base) {
            return base * std::pow(gamma, static_cast<double>(step / size));
        };
    }
    const auto tMax = static_cast<double>(r.integer("T_max"));
    const double etaMin = r.number("eta_min");
    return [=](int64_t step, double base) {
        return etaMin + (base - etaMin) * (1 + std::cos(kPi * step / tMax)) / 2;
    };
}

} // namespace

std::unique_ptr<LrScheduler> makeScheduler(const Json& config, torch::optim::Optimizer& optimizer,
                                           const std::string& context) {
    if (!config.is_object() || !config.contains("name") || !config["name"].is_string())
        throw ConfigError("expected an object with a \"name\"", {}, context);
    const std::string name = config["name"].get<std::string>();
    std::string known;
    for (const auto& info : schedulerInfos()) {
        known += (known.empty() ? "" : ", ") + info.name;
        if (info.name != name)
            continue;
        ParamReader r(config, context, info.params);
        Json full = defaultsOf(info.params);
        full.update(config);
        full["name"] = name;
        return std::make_unique<LrScheduler>(optimizer, formulaOf(name, r), full);
    }
    throw ConfigError("unknown scheduler \"" + name + "\" (known: " + known + ")", {},
                      context + ".name");
}

} // namespace medulla
