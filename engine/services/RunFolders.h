#pragma once
/// Run folders: one folder per training run under an experiment's
/// output_dir, so that runs never overwrite each other, and a reader of the
/// curves a finished (or interrupted) run left there. Qt-free and
/// LibTorch-free: the studio and the CLI both use it.
///
/// Layout read (what a Trainer writes, see README "A run writes into its
/// output_dir"):
///   <run>/metrics.csv   "epoch,<key metric>,..." one row per validation
///   <run>/train.log     "YYYY-mm-dd HH:MM:SS Epoch: E/N, Iter: i/n -- loss: x"
///                       lines (StatsHandler); the epoch mean loss is the
///                       mean of the epoch's iteration losses (4 decimals
///                       as logged; a resumed run's repeated iterations count once)
///                       and "trainer started: epoch E of N" / "trainer
///                       completed | cancelled | failed" lines
///   <run>/checkpoint.pt the resumable training state

#include <ctime>
#include <string>
#include <vector>

namespace medulla {

/// "run-YYYYMMDD-HHMMSS" of `when` in local time.
std::string runFolderName(std::time_t when);

/// Create and return a new, empty run folder `<outputDir>/run-YYYYMMDD-HHMMSS`
/// (local time `when`); when that name is taken, "-2", "-3", ... is
/// appended. Creates outputDir too. Throws IoError naming the folder when it
/// cannot be created. Set ExperimentConfig::outputDir to the result before
/// starting a run.
std::string createRunFolder(const std::string& outputDir, std::time_t when = std::time(nullptr));

/// What a run folder holds, for a run history.
struct RunSummary {
    std::string name;       ///< folder name ("run-20261207-193337")
    std::string path;       ///< folder path
    std::string started;    ///< "YYYY-mm-dd HH:MM:SS" of the first train.log line ("" if none)
    std::string metricName; ///< the key metric column of metrics.csv ("val_mean_dice")
    /// Epochs with a training loss in train.log, ascending, and their mean loss.
    std::vector<int> lossEpochs;
    std::vector<double> epochLoss;
    /// Epochs of metrics.csv rows, ascending, and their key metric (NaN kept).
    std::vector<int> metricEpochs;
    std::vector<double> metric;
    int epochs = 0;    ///< the last epoch seen (loss or metric), 0 if none
    int maxEpochs = 0; ///< N of the last "trainer started: epoch E of N" line, 0 if none
    /// How the last session of the run ended ("trainer completed | cancelled
    /// | failed" in train.log): "completed", "cancelled", "failed", or ""
    /// (still running, killed, or no log).
    std::string lastState;
    double bestMetric = -1; ///< highest finite key metric, -1 if none
    int bestEpoch = 0;
    bool hasCheckpoint = false; ///< checkpoint.pt exists (resumable)
};

/// Read one run folder. Missing files give empty curves, never an error;
/// unreadable numbers are skipped.
RunSummary readRun(const std::string& runDir);

/// The run folders directly under outputDir (folders named run-*, e.g. one
/// just created, or holding metrics.csv, train.log or checkpoint.pt), sorted by name (oldest first
/// for createRunFolder names). Empty when outputDir does not exist.
std::vector<RunSummary> listRuns(const std::string& outputDir);

} // namespace medulla
