#pragma once
/// MONAI's TensorBoardStatsHandler for a trainer: writes a run's scalars to
/// a TensorBoard event file (TensorBoardWriter) in log_dir, which
/// `tensorboard --logdir <log_dir>` plots while the run goes on.
///
/// Tags (steps are the trainer's counters, so a resumed run continues the
/// curves of the interrupted one in its own new event file in the same
/// folder; TensorBoard merges the files of a folder):
///   tag_name ("Loss")  state().output["loss"] at IterationCompleted,
///                      step = state().iteration (the global iteration),
///                      every iteration_log iterations (MONAI's default
///                      iteration writer with its default tag);
///                      other scalars of state().output ("g_loss", ...)
///                      under their own names
///   "epoch_loss"       the mean of the epoch's finite losses
///                      (EpochLossTracker) at EpochCompleted, step = epoch,
///                      every epoch_log epochs
///   "lr"               the lr of the first parameter group at the epoch's
///                      end (after the epoch's schedule step), step = epoch,
///                      with epoch_loss (SupervisedTrainer only)
///   <metric name>      each state().metrics entry ("val_mean_dice", ...)
///                      when "VALIDATION_COMPLETED" fires, step = epoch
///                      (with epoch_log > 0)
///
/// The event file is created at Started, flushed at every EpochCompleted
/// and VALIDATION_COMPLETED, and closed at Completed, Cancelled and
/// ExceptionRaised (a failure to close is ignored there). A failed write
/// throws IoError naming the file (the run then fails).
///
/// Order: attach it after the lr schedule and the validation handlers so
/// that "lr" is the stepped value. Threads: the workflow's thread.

#include <torch/arg.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/Params.h"
#include "engine/training/TensorBoardWriter.h"
#include "engine/training/Workflow.h"
#include "engine/training/handlers/EpochLossTracker.h"

namespace medulla {

struct TensorBoardHandlerOptions {
    explicit TensorBoardHandlerOptions(std::string log_dir) : log_dir_(std::move(log_dir)) {}
    /// Folder of the event files (created when needed).
    TORCH_ARG(std::string, log_dir);
    /// Write the iteration scalars every N iterations (MONAI's
    /// iteration_log: true is 1); 0: never.
    TORCH_ARG(int64_t, iteration_log) = 1;
    /// Write the epoch scalars every N epochs and the validation metrics;
    /// 0: neither.
    TORCH_ARG(int64_t, epoch_log) = 1;
    /// Tag of the iteration loss (MONAI's tag_name).
    TORCH_ARG(std::string, tag_name) = "Loss";
    /// Seconds between automatic flushes of the event file.
    TORCH_ARG(double, flush_seconds) = 10.0;

public: // TORCH_ARG leaves the section private
    /// The experiment's "handlers.tensorboard" parameters: enabled,
    /// log_dir (relative to the run folder; "" is the run folder),
    /// iteration_log and epoch_log (true, false or every N), tag_name.
    static std::vector<ParamSpec> params();
    /// Reads them (null: the defaults); nullopt when "enabled" is false.
    /// Errors are ConfigErrors naming "<context>.<field>".
    static std::optional<TensorBoardHandlerOptions>
    fromJson(const Json& j, const std::string& runDir, const std::string& context);
};

class TensorBoardHandler : public Handler {
public:
    /// `epochLoss`: the run's shared tracker, attached by the caller before
    /// this handler; null: the handler attaches its own. Throws ConfigError
    /// naming the option for a negative interval or an empty tag.
    explicit TensorBoardHandler(TensorBoardHandlerOptions options,
                                std::shared_ptr<EpochLossTracker> epochLoss = nullptr);

    void attach(Workflow& workflow) override;

    /// The current (or last) event file; empty before the first Started.
    std::string eventFile() const { return file_; }
    const TensorBoardHandlerOptions& options() const { return options_; }

private:
    void started();
    void iterationCompleted(const Workflow& w);
    void epochCompleted(Workflow& w);
    void validationCompleted(const Workflow& w);
    void close(bool quiet);

    TensorBoardHandlerOptions options_;
    std::shared_ptr<EpochLossTracker> epochLoss_;
    bool ownTracker_ = false;
    std::unique_ptr<TensorBoardWriter> writer_;
    std::string file_;
};

} // namespace medulla
