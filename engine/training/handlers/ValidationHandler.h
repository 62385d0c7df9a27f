#pragma once
/// MONAI's ValidationHandler: runs an evaluator every `interval` epochs (or
/// iterations, epoch_level = false) of the workflow it is attached to (the
/// trainer), labelled with the trainer's epoch. After each evaluation it
/// copies the evaluator's metrics, key metric name and best metric/epoch
/// into the trainer's state and fires the trainer's custom event
/// "VALIDATION_COMPLETED" (kValidationCompleted), on which consumers of the
/// trainer's metrics (EarlyStopHandler, checkpoint savers) act.
/// Resume: a fresh evaluator starts from the trainer's best metric/epoch
/// when the trainer has one (restored from a checkpoint) for the same key.
///
/// Cancellation: the evaluator polls `cancel` between batches; a cancelled
/// evaluation throws CancelledError out of the trainer's run() (after its
/// ExceptionRaised), so no half-finished metrics are ever reported.

#include <torch/arg.h>

#include <memory>

#include "engine/core/CancelToken.h"
#include "engine/training/Evaluator.h"
#include "engine/training/Workflow.h"

namespace medulla {

struct ValidationHandlerOptions {
    /// Validate every `interval` epochs (or iterations), >= 1.
    TORCH_ARG(int64_t, interval) = 1;
    /// Count epochs (true) or iterations (false).
    TORCH_ARG(bool, epoch_level) = true;
    /// Also validate once when the trainer starts (MONAI's exec_at_start).
    TORCH_ARG(bool, exec_at_start) = false;
    /// Also validate after the trainer's last epoch when it is not a
    /// multiple of interval (so a run always ends with a validation).
    TORCH_ARG(bool, exec_at_end) = false;
};

class ValidationHandler : public Handler {
public:
    static constexpr const char* kValidationCompleted = "VALIDATION_COMPLETED";

    /// `cancel` (may be null) must outlive the runs; the evaluator is shared.
    /// Throws ConfigError naming "interval" when it is < 1.
    ValidationHandler(std::shared_ptr<Evaluator> evaluator, const CancelToken* cancel,
                      ValidationHandlerOptions options = {});

    void attach(Workflow& trainer) override;

    /// Runs the evaluator now for the trainer's current epoch and publishes
    /// the results (what the event callbacks do).
    void validate(Workflow& trainer);

    Evaluator& evaluator() { return *evaluator_; }

private:
    std::shared_ptr<Evaluator> evaluator_;
    const CancelToken* cancel_;
    CancelToken never_;
    ValidationHandlerOptions options_;
};

} // namespace medulla
