#pragma once
/// `medulla train GAN.json`: runs an experiment with "workflow": "gan"
/// (engine/training/GanRun.h) on a worker thread, with the console progress
/// bar, one line per epoch (loss = mean g_loss, then the mean d_loss), and
/// the first Ctrl-C cancelling after the current iteration (checkpoint.pt
/// is saved). The supervised `medulla train` options apply: --output-dir,
/// --epochs, --threads, --resume [CHECKPOINT], --deterministic, --quiet.

#include <functional>
#include <string>

namespace medulla::cli {

struct GanTrainArgs {
    std::string experiment;
    std::string outputDir; ///< overrides output_dir when not empty
    int epochs = 0;        ///< overrides trainer.max_epochs when > 0
    int threads = 0;       ///< overrides trainer.threads when > 0
    bool quiet = false;
    bool resume = false;    ///< --resume given
    std::string resumeFrom; ///< its value; empty: the run folder's latest checkpoint
    bool deterministic = false;
};

/// Returns the exit code: 0 completed, 130 cancelled, 1 failed (the error
/// printed). `interrupted` is polled while the run goes on; once it returns
/// true the run is cancelled after the current iteration. Throws
/// medulla::Error naming the file or field for a bad experiment or a
/// missing checkpoint to resume from.
int runGanTrain(const GanTrainArgs& args, const std::function<bool()>& interrupted);

} // namespace medulla::cli
