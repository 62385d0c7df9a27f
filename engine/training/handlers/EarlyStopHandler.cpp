#include "engine/training/handlers/EarlyStopHandler.h"

#include <cmath>

#include "engine/core/Error.h"

#include "engine/training/handlers/ValidationHandler.h"

namespace medulla {

std::vector<ParamSpec> EarlyStopHandlerOptions::params() {
    return {
        {"patience", ParamType::Int, 5, 1, 1e9, {}, "checks without improvement before stopping"},
        {"min_delta", ParamType::Float, 0.0, 0.0, 1e300, {}, "smallest improvement that counts"},
        {"cumulative_delta",
         ParamType::Bool,
         false,
         0,
         0,
         {},
         "measure min_delta from the last improvement"},
        {"epoch_level", ParamType::Bool, true, 0, 0, {}, "loss: check per epoch or per iteration"},
        {"monitor",
         ParamType::String,
         "metric",
         0,
         0,
         {"metric", "loss"},
         "key metric (higher is better) or training loss (lower is better)"}};
}

EarlyStopHandlerOptions EarlyStopHandlerOptions::fromJson(const Json& j,
                                                          const std::string& context) {
    static const std::vector<ParamSpec> specs = params();
    ParamReader r(j, context, specs);
    return EarlyStopHandlerOptions()
        .patience(r.integer("patience"))
        .min_delta(r.number("min_delta"))
        .cumulative_delta(r.boolean("cumulative_delta"))
        .epoch_level(r.boolean("epoch_level"))
        .monitor(r.string("monitor"));
}

EarlyStopHandler::EarlyStopHandler(EarlyStopHandlerOptions options) : options_(options) {
    if (options_.patience() < 1)
        throw ConfigError("must be >= 1", {}, "patience");
    if (!(options_.min_delta() >= 0))
        throw ConfigError("must be >= 0", {}, "min_delta");
    if (options_.monitor() != "metric" && options_.monitor() != "loss")
        throw ConfigError("\"" + options_.monitor() + "\" is not \"metric\" or \"loss\"", {},
                          "monitor");
}

void EarlyStopHandler::attach(Workflow& trainer) {
    if (options_.monitor() == "metric") {
        trainer.on(ValidationHandler::kValidationCompleted, [this](Workflow& w) {
            const WorkflowState& s = w.state();
            auto it = s.metrics.find(s.keyMetricName);
            check(w, it == s.metrics.end() ? std::nan("") : it->second);
        });
        return;
    }
    auto lossOf = [](const Workflow& w) {
        auto it = w.state().output.find("loss");
        return it == w.state().output.end() ? std::nan("") : it->second;
    };
    if (!options_.epoch_level()) {
        trainer.on(Event::IterationCompleted,
                   [this, lossOf](Workflow& w) { check(w, -lossOf(w)); });
        return;
    }
    // A run resumed inside an epoch (epochIteration > 0) keeps the sums
    // restored from its checkpoint (loadState).
    trainer.on(Event::EpochStarted, [this](Workflow& w) {
        if (w.state().epochIteration > 0)
            return;
        lossSum_ = 0;
        lossCount_ = 0;
    });
    trainer.on(Event::IterationCompleted, [this, lossOf](Workflow& w) {
        const double l = lossOf(w);
        if (std::isfinite(l)) {
            lossSum_ += l;
            ++lossCount_;
        }
    });
    trainer.on(Event::EpochCompleted, [this](Workflow& w) {
        check(w, lossCount_ ? -lossSum_ / double(lossCount_) : std::nan(""));
    });
}

Json EarlyStopHandler::state() const {
    // best_ may be -inf/NaN-free only when haveBest_; JSON has no inf, so
    // the flag travels with it.
    return {{"have_best", haveBest_},
            {"best", haveBest_ ? best_ : 0.0},
            {"counter", counter_},
            {"loss_sum", lossSum_},
            {"loss_count", lossCount_}};
}

void EarlyStopHandler::loadState(const Json& state) {
    try {
        haveBest_ = state.at("have_best").get<bool>();
        best_ = state.at("best").get<double>();
        counter_ = state.at("counter").get<int64_t>();
        lossSum_ = state.at("loss_sum").get<double>();
        lossCount_ = state.at("loss_count").get<int64_t>();
    } catch (const Json::exception& e) {
        throw ConfigError(std::string("early stopping state: ") + e.what(), {}, "early_stop");
    }
}

void EarlyStopHandler::check(Workflow& trainer, double score) {
    if (!haveBest_ && !std::isnan(score)) {
        haveBest_ = true;
        best_ = score;
        return;
    }
    if (std::isnan(score) || score <= best_ + options_.min_delta()) {
        if (!options_.cumulative_delta() && score > best_)
            best_ = score;
        if (++counter_ >= options_.patience())
            trainer.terminate();
        return;
    }
    best_ = score;
    counter_ = 0;
}

} // namespace medulla
