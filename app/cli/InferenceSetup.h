#pragma once
/// Shared by `medulla evaluate`, `medulla infer` and `medulla ensemble`: a
/// run on a worker thread that Ctrl-C stops between cases.

#include <functional>
#include <string>

#include "engine/core/CancelToken.h"
#include "engine/core/JobState.h"
#include "engine/training/ModelEvaluation.h"

namespace medulla::cli {

/// TrainedModel and loadTrainedModel live in the engine
/// (engine/training/ModelEvaluation.h), shared with the studio.

/// Runs `work` on a worker thread while this thread polls `interrupted`
/// every 100 ms; once it returns true the token is cancelled (the work stops
/// between cases). Returns the work's state (Cancelled also when it threw
/// CancelledError); rethrows any other exception of the work here.
JobState runInterruptible(const std::function<JobState(const CancelToken&)>& work,
                          const std::function<bool()>& interrupted);

} // namespace medulla::cli
