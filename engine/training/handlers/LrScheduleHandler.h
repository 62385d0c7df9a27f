#pragma once
/// MONAI's LrScheduleHandler: steps an LrScheduler once per epoch
/// (EpochCompleted) or once per iteration (IterationCompleted), as the
/// scheduler's epochLevel() says. Attach it before the handlers that report
/// the lr (ObserverHandler, StatsHandler) so they see the stepped value.

#include <memory>

#include "engine/optim/LrScheduler.h"
#include "engine/training/Workflow.h"

namespace medulla {

class LrScheduleHandler : public Handler {
public:
    /// The scheduler (shared) must act on the trainer's optimizer.
    explicit LrScheduleHandler(std::shared_ptr<LrScheduler> scheduler);

    void attach(Workflow& workflow) override;
    LrScheduler& scheduler() { return *scheduler_; }

private:
    std::shared_ptr<LrScheduler> scheduler_;
};

} // namespace medulla
