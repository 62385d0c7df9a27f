#pragma once
/// MONAI's CheckpointSaver handler: writes the TrainingCheckpoint (model,
/// optimizer, ..., see TrainingCheckpoint.h) at the intervals, key-metric
/// improvements and ends it is configured for, with ignite's file names in
/// save_dir:
///   checkpoint_epoch=3.pt / checkpoint_iteration=400.pt   (save_interval)
///   checkpoint_key_metric=0.8123.pt                        (save_key_metric)
///   checkpoint_final_iteration=1000.pt                     (save_final)
/// ("<file_prefix>_checkpoint_..." with a prefix), plus a stable
/// latest_filename ("checkpoint.pt") that always holds the newest state a
/// run can resume from (`medulla train --resume`): it is (re)written after
/// every save, and alone when the run is cancelled (Ctrl-C).
///
/// An iteration-level file due at the last iteration of an epoch is
/// written at that epoch's EPOCH_COMPLETED instead (same name), so that it
/// holds the epoch's end (validation, epoch-level lr step, cache update)
/// and a run resumed from it starts the next epoch like the original did.
///
/// Rotation as ignite's Checkpoint: interval files keep the n_saved most
/// recent (0: all); key-metric files keep the key_metric_n_saved best (a
/// new file only when its score beats the lowest kept, or equals it with
/// key_metric_greater_or_equal); the final file replaces the previous one.
/// A new file is written before the file it replaces is deleted. The file
/// lists travel in the checkpoint (part "checkpoint_saver"), so a resumed
/// run goes on rotating the files of the interrupted one.
///
/// Every save event writes the state once and hard-links it to its other
/// names (a copy where links are not supported). Writes are atomic: a
/// failure throws IoError naming the file (the run then fails) and leaves
/// every existing file as it was; on EXCEPTION_RAISED (save_final) a
/// failure is ignored in favour of the original error, and the latest file
/// is not touched (the state after a failed iteration may be half-updated).
///
/// Order: callbacks of one event run in attachment order, so attach the
/// saver after a CheckpointLoader and the handlers whose effects its files
/// must hold (the lr step, the validation that sets the key metric, the
/// SmartCache update), and before those that report the files written.
///
/// An epoch end cut short: when a cancel stops the run inside an epoch's
/// EPOCH_COMPLETED before this saver's turn (a CancelledError out of the
/// validation), latest_filename gets the state with the epoch's iterations
/// done and its end marked unfinished (part "checkpoint_saver"). A run
/// resumed from that file redoes the epoch end first: after the other
/// STARTED callbacks (the loader's restore, the logs' "started" lines) the
/// saver fires EPOCH_COMPLETED once more for that epoch, with
/// redoingEpochEnd() true, then the run goes on with the next epoch. The
/// callbacks that ran before the cancel run again unless they check
/// redoingEpochEnd() or keep their own record (Trainer: the epoch-level lr
/// step, the SmartCache swap); the deferred iteration file of the epoch's
/// last iteration is written then.

#include <torch/arg.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/Params.h"
#include "engine/training/TrainingCheckpoint.h"
#include "engine/training/Workflow.h"

namespace medulla {

struct CheckpointSaverOptions {
    explicit CheckpointSaverOptions(std::string save_dir) : save_dir_(std::move(save_dir)) {}
    /// Folder of the checkpoint files (created when needed).
    TORCH_ARG(std::string, save_dir);
    /// Prefix of the generated names: "<prefix>_checkpoint_epoch=3.pt".
    TORCH_ARG(std::string, file_prefix) = "";
    /// Save at COMPLETED (and, best effort, at EXCEPTION_RAISED).
    TORCH_ARG(bool, save_final) = false;
    /// Fixed name of the final file; empty: checkpoint_final_iteration=N.pt.
    TORCH_ARG(std::string, final_filename) = "";
    /// Save at EPOCH_COMPLETED when state().metrics[key metric] improves.
    TORCH_ARG(bool, save_key_metric) = false;
    /// The metric to compare; empty: the workflow's state().keyMetricName.
    TORCH_ARG(std::string, key_metric_name) = "";
    /// How many best files to keep (>= 1).
    TORCH_ARG(int64_t, key_metric_n_saved) = 1;
    /// Fixed name of the best file; needs key_metric_n_saved == 1.
    TORCH_ARG(std::string, key_metric_filename) = "";
    /// An equal score replaces the kept file (default: the first one stays).
    TORCH_ARG(bool, key_metric_greater_or_equal) = false;
    /// Smaller is better (the score, also in the name, is -metric).
    TORCH_ARG(bool, key_metric_negative_sign) = false;
    /// save_interval counts epochs (true) or iterations (false).
    TORCH_ARG(bool, epoch_level) = true;
    /// Save every save_interval epochs/iterations; 0: no interval files.
    TORCH_ARG(int64_t, save_interval) = 0;
    /// Interval files to keep, the most recent; 0 keeps all (MONAI's None).
    TORCH_ARG(int64_t, n_saved) = 0;
    /// Write latest_filename when the run is cancelled (not in MONAI), also
    /// when the cancel cut an epoch's end short (its validation): the
    /// training work is kept and the resumed run redoes that epoch's end
    /// (see the class comment).
    TORCH_ARG(bool, save_on_cancel) = true;
    /// The stable name of the newest resumable state; empty: none.
    TORCH_ARG(std::string, latest_filename) = "checkpoint.pt";
    /// false: keep every record (which files would exist, an epoch end to
    /// redo after a cancel) but write and remove nothing: the ranks other
    /// than 0 of a distributed run, which must redo the same epoch ends.
    TORCH_ARG(bool, write_files) = true;
};

/// The experiment's "checkpoint" section: CheckpointSaverOptions by their
/// MONAI names, without save_dir (the run's output folder). Its defaults
/// are what a run saves when the section is absent: checkpoint_epoch=N.pt
/// after every epoch (the last one kept) with checkpoint.pt beside it, and
/// the best key metric as best_model.pt.
std::vector<ParamSpec> checkpointSaverParams();

/// Reads that section (null: all defaults). Throws ConfigError naming
/// `context`.<field>.
CheckpointSaverOptions checkpointSaverOptionsFromJson(const Json& section, std::string saveDir,
                                                      const std::string& context = "checkpoint");

class CheckpointSaver : public Handler {
public:
    /// Registers the optional part "checkpoint_saver" (its file lists;
    /// "checkpoint_saver_2", ... for further savers of the same checkpoint,
    /// matched by creation order when loading) on `checkpoint`. Throws ConfigError naming the
    /// option for impossible values (a negative interval, key_metric_filename with n_saved > 1).
    CheckpointSaver(std::shared_ptr<TrainingCheckpoint> checkpoint, CheckpointSaverOptions options);

    void attach(Workflow& workflow) override;

    /// Receives one line per file written ("saved checkpoint_epoch=2.pt").
    void setLogger(std::function<void(const std::string&)> log) { log_ = std::move(log); }

    const CheckpointSaverOptions& options() const { return options_; }
    /// True while the saver re-fires EPOCH_COMPLETED for an epoch end that a
    /// cancel cut short in the run the checkpoint came from.
    bool redoingEpochEnd() const { return redoing_; }
    /// Full path of the last file written; empty before the first.
    const std::string& lastCheckpoint() const { return last_; }
    /// Full path of latest_filename (empty when disabled).
    std::string latestPath() const;
    /// The kept files of each rotation, lowest priority first (oldest
    /// interval file, worst key-metric file).
    std::vector<std::string> intervalFiles() const;
    std::vector<std::string> keyMetricFiles() const;

    /// The rotation lists (shared with the checkpoint part).
    struct Tracking {
        std::vector<std::pair<double, std::string>> interval, keyMetric; ///< (priority, file name)
        std::string final;
        /// The epoch whose EPOCH_COMPLETED was cut short by a cancel when
        /// the file was written (-1: none); a resumed run redoes it.
        int64_t interruptedEpochEnd = -1;
    };

private:
    void epochCompleted(Workflow& w);
    void iterationCompleted(Workflow& w);
    void completed(Workflow& w);
    void cancelled(Workflow& w);
    void exceptionRaised(Workflow& w);
    /// The final checkpoint (save_final): at COMPLETED, and at
    /// EXCEPTION_RAISED where `latest` is false (the latest file keeps the
    /// last good state).
    void saveFinal(Workflow& w, bool latest);
    void started(Workflow& w);
    /// Fires EPOCH_COMPLETED for the epoch end to redo (the last STARTED callback).
    void redoEpochEnd(Workflow& w);
    /// Writes the state under every name of `names` (file names in
    /// save_dir) and, with `latest`, latest_filename. `next` is the tracking
    /// the files will hold; it becomes current only when all writes succeed,
    /// then the files in `obsolete` are deleted.
    void commit(const std::vector<std::string>& names, bool latest, const Tracking& next,
                const std::vector<std::string>& obsolete);
    /// Adds an interval file to `next`, moving the oldest beyond n_saved
    /// to `obsolete`.
    void addIntervalFile(Tracking& next, double priority, const std::string& name,
                         std::vector<std::string>& obsolete) const;
    std::string path(const std::string& name) const;
    std::string generatedName(const std::string& scoreName, const std::string& score) const;

    std::shared_ptr<TrainingCheckpoint> checkpoint_;
    CheckpointSaverOptions options_;
    std::shared_ptr<Tracking> tracking_;
    std::function<void(const std::string&)> log_;
    std::string last_;
    int64_t pendingIteration_ = -1; ///< an iteration file deferred to EPOCH_COMPLETED
    int64_t endedEpoch_ = -1;       ///< the last epoch whose end reached this saver
    int64_t redoEpoch_ = -1;        ///< the epoch end to redo after STARTED (-1: none)
    bool redoRegistered_ = false;   ///< the redo callback is on the STARTED list
    bool redoing_ = false;
};

} // namespace medulla
