#include "engine/training/handlers/EpochLossTracker.h"

#include <cmath>
#include <limits>

#include "engine/core/Error.h"

namespace medulla {

void EpochLossTracker::attach(Workflow& workflow) {
    workflow.on(Event::EpochStarted, [this](Workflow& w) {
        const WorkflowState& s = w.state();
        if (s.epoch != epoch_ || s.epochIteration == 0) {
            sum_ = 0;
            count_ = 0;
        }
        epoch_ = s.epoch;
    });
    workflow.on(Event::IterationCompleted, [this](Workflow& w) {
        const auto& output = w.state().output;
        auto it = output.find("loss");
        if (it != output.end() && std::isfinite(it->second)) {
            sum_ += it->second;
            ++count_;
        }
    });
}

double EpochLossTracker::mean() const {
    return count_ > 0 ? sum_ / double(count_) : std::numeric_limits<double>::quiet_NaN();
}

Json EpochLossTracker::state() const {
    return {{"epoch", epoch_}, {"sum", sum_}, {"count", count_}};
}

void EpochLossTracker::loadState(const Json& state) {
    for (const char* key : {"epoch", "sum", "count"})
        if (!state.contains(key) || !state[key].is_number())
            throw ConfigError("missing number", {}, std::string("epoch_loss.") + key);
    epoch_ = state["epoch"].get<int64_t>();
    sum_ = state["sum"].get<double>();
    count_ = state["count"].get<int64_t>();
}

} // namespace medulla
