#pragma once
/// Saves the results of every evaluation (MONAI's MetricsSaver, in
/// Medulla's file layout). Attached to an Evaluator; after each of
/// its runs (EpochCompleted, after the evaluator aggregated) it writes, all
/// atomically, in save_dir:
///   metrics.csv               one row per evaluation: "epoch", the key
///                             metric, then the other metrics (names in
///                             sorted order, as state().metrics keeps them);
///                             the columns are fixed by the first row
///   val_cases_epoch<N>.csv    the per-case table of epoch N (save_per_epoch)
///   val_cases_best.csv        the per-case table of the best epoch so far
///                             (rewritten whenever the key metric improves)
/// Numbers have 17 significant digits; NaN is "nan" (MetricTable's CSV).
///
/// A resumed run keeps the rows of an existing metrics.csv whose epoch is
/// before the first epoch this saver writes (a fresh run in a used folder
/// therefore replaces the file from its first validation on).

#include <torch/arg.h>

#include <string>
#include <vector>

#include "engine/training/Workflow.h"

namespace medulla {

class Evaluator;

struct MetricsSaverOptions {
    /// The folder of the files (created if missing).
    TORCH_ARG(std::string, save_dir) = ".";
    TORCH_ARG(std::string, metrics_file) = "metrics.csv";
    /// Write val_cases_epoch<N>.csv after every evaluation.
    TORCH_ARG(bool, save_per_epoch) = true;
    /// Write val_cases_best.csv when the key metric improves.
    TORCH_ARG(bool, save_best) = true;
};

class MetricsSaver : public Handler {
public:
    explicit MetricsSaver(MetricsSaverOptions options);

    /// `workflow` must be an Evaluator (std::invalid_argument
    /// otherwise).
    void attach(Workflow& workflow) override;

    std::string metricsPath() const;
    /// The per-case file of epoch `epoch`.
    std::string casesPath(int64_t epoch) const;
    std::string bestCasesPath() const;

private:
    void save(Evaluator& evaluator);
    void loadEarlierRows(int64_t firstEpoch);

    MetricsSaverOptions options_;
    std::vector<std::string> columns_; ///< metric columns after "epoch"
    std::vector<std::string> lines_;   ///< CSV data lines written so far
    bool started_ = false;
};

} // namespace medulla
