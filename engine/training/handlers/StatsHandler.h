#pragma once
/// MONAI's StatsHandler: human-readable log lines of a workflow's progress,
/// sent to a sink and/or appended to a log file (e.g. <run>/train.log):
///   trainer started: epoch 1 of 20, 16 iterations per epoch
///   Epoch: 1/20, Iter: 3/16 -- loss: 0.7312
///   Epoch: 1/20, Iter: 4/16 -- skipped: non-finite loss nan (cases: a.nii.gz, b.nii.gz)
///   Epoch[1] Metrics -- val_mean_dice: 0.4123
///   Key metric: val_mean_dice best value: 0.4123 at epoch: 1
///   trainer completed | cancelled | failed: <message>
/// Numbers are printed with 4 decimals (MONAI's key_var_format). The file
/// gets a local "YYYY-mm-dd HH:MM:SS " prefix on every line and is flushed
/// after each line (a crash loses nothing written before it).
///
/// Threads: the sink is called on the workflow's thread.

#include <torch/arg.h>

#include <fstream>
#include <functional>
#include <string>

#include "engine/training/Workflow.h"

namespace medulla {

using LogSink = std::function<void(const std::string& line)>;

struct StatsHandlerOptions {
    /// A line per iteration (scalars of state().output, sorted by name).
    TORCH_ARG(bool, iteration_log) = true;
    /// Lines per epoch: state().metrics, sorted (on a trainer with a
    /// ValidationHandler: in the epochs that validated), and the best key
    /// metric.
    TORCH_ARG(bool, epoch_log) = true;
    /// Append every line to this file ("" = none); its folder must exist
    /// or be creatable.
    TORCH_ARG(std::string, log_file) = "";
};

class StatsHandler : public Handler {
public:
    /// `sink` may be empty (file only).
    explicit StatsHandler(LogSink sink, StatsHandlerOptions options = {});

    /// Opens the log file (append); throws IoError naming it when it
    /// cannot be opened.
    void attach(Workflow& workflow) override;

    /// Sends one line to the sink and the file.
    void log(const std::string& line);

private:
    LogSink sink_;
    StatsHandlerOptions options_;
    std::ofstream file_;
    bool validations_ = false;        ///< "VALIDATION_COMPLETED" fired at least once
    bool validatedThisEpoch_ = false; ///< ... during the current epoch
};

} // namespace medulla
