#include "engine/training/handlers/LrScheduleHandler.h"

#include <stdexcept>

namespace medulla {

LrScheduleHandler::LrScheduleHandler(std::shared_ptr<LrScheduler> scheduler)
    : scheduler_(std::move(scheduler)) {
    if (!scheduler_)
        throw std::invalid_argument("LrScheduleHandler needs a scheduler");
}

void LrScheduleHandler::attach(Workflow& workflow) {
    workflow.on(scheduler_->epochLevel() ? Event::EpochCompleted : Event::IterationCompleted,
                [this](Workflow&) { scheduler_->step(); });
}

} // namespace medulla
