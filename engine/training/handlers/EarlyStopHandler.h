#pragma once
/// MONAI's EarlyStopHandler (ignite's EarlyStopping): terminate() the
/// trainer when its score has not improved for `patience` consecutive
/// checks. A check with score s and best score b counts as no improvement
/// when s <= b + min_delta (a NaN score never improves); an improvement
/// resets the count and makes s the best (with cumulative_delta = false
/// a non-improving s > b also becomes the best, as in ignite).
///
/// Scores (monitor):
///   "metric"  the trainer's key metric (state().metrics[keyMetricName],
///             higher is better), checked at every "VALIDATION_COMPLETED"
///             (ValidationHandler), whatever epoch_level says;
///   "loss"    minus the training loss (lower loss is better): the mean of
///             the epoch's finite iteration losses at EpochCompleted
///             (epoch_level), else each iteration's loss at
///             IterationCompleted.

#include <torch/arg.h>

#include <string>
#include <vector>

#include "engine/core/Params.h"
#include "engine/training/Workflow.h"

namespace medulla {

struct EarlyStopHandlerOptions {
    /// Checks without improvement before stopping, >= 1.
    TORCH_ARG(int64_t, patience) = 5;
    /// Minimum increase of the score that counts as an improvement, >= 0.
    TORCH_ARG(double, min_delta) = 0.0;
    /// min_delta measured from the last improvement (true) or from the best
    /// score so far (false).
    TORCH_ARG(bool, cumulative_delta) = false;
    /// "loss" only: check per epoch (true) or per iteration (false).
    TORCH_ARG(bool, epoch_level) = true;
    /// "metric" or "loss".
    TORCH_ARG(std::string, monitor) = "metric";

public: // TORCH_ARG leaves the section private
    /// The parameters above for JSON ({"patience": 3, ...}).
    static std::vector<ParamSpec> params();
    /// Reads them; errors are ConfigErrors naming "<context>.<field>".
    static EarlyStopHandlerOptions fromJson(const Json& j, const std::string& context);
};

class EarlyStopHandler : public Handler {
public:
    /// Throws ConfigError naming the invalid option.
    explicit EarlyStopHandler(EarlyStopHandlerOptions options);

    void attach(Workflow& trainer) override;

    /// Checks without improvement so far.
    int64_t counter() const { return counter_; }
    /// {"have_best", "best", "counter", "loss_sum", "loss_count"}: what a
    /// resumed run needs to go on counting (a checkpoint part).
    Json state() const;
    /// Restores state(); throws ConfigError naming a missing member.
    void loadState(const Json& state);
    double bestScore() const { return best_; }

private:
    void check(Workflow& trainer, double score);

    EarlyStopHandlerOptions options_;
    bool haveBest_ = false;
    double best_ = 0;
    int64_t counter_ = 0;
    double lossSum_ = 0;
    int64_t lossCount_ = 0;
};

} // namespace medulla
