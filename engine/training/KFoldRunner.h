#pragma once
/// K-fold cross-validation with an ensemble on a held-out test set (MONAI's
/// cross-validation + EnsembleEvaluator tutorial as one run):
///   1. the labelled cases of the experiment's datalist are shuffled with
///      the seed; the first ceil(test_fraction * n) are the test set;
///   2. the rest is dealt into `folds` folds (MONAI's CrossValidation);
///      model k trains on every fold but k and validates on fold k, in
///      <output_dir>/fold_<k> (a normal run folder: checkpoints, logs, CSVs);
///   3. every model's best weights (best_model_state.pt) predict every test
///      case through an EnsembleEvaluator (score_members on; the
///      experiment's val_transforms and inferer), which combines them by the
///      mean of the softmax probabilities (optionally weighted) or by a
///      majority vote of the labels (ties go to the smallest label);
///   4. Dice without the background of each model and of the ensemble, per
///      test case (mean over the classes), is written to
///      <output_dir>/kfold_test.csv and summarised.
///
/// Threads: run() on the calling thread; observers are called on it.

#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/metrics/Metric.h"
#include "engine/training/Experiment.h"
#include "engine/training/TrainingEvents.h"

namespace medulla {

struct KFoldOptions {
    int folds = 3;
    double test_fraction = 0.2;
    /// "mean" (softmax probabilities) or "vote" (labels).
    std::string ensemble = "mean";
    /// Per-model weights of the mean; empty = equal.
    std::vector<double> weights;
};

struct KFoldResult {
    std::vector<double> modelDice; ///< mean test Dice of each fold's model
    double ensembleDice = 0;       ///< mean test Dice of the ensemble
    MetricTable table;             ///< per test case: "model_<k>" columns + "ensemble"
    std::string csv;               ///< where the table was written
};

class KFoldRunner {
public:
    /// Throws ConfigError naming "folds", "test_fraction", "ensemble"/"mode"
    /// or "weights" for impossible values (EnsembleEvaluatorOptions::check).
    KFoldRunner(ExperimentConfig base, KFoldOptions options);
    /// Not owned; called on the thread running run().
    void addObserver(TrainingObserver* observer) { observers_.push_back(observer); }
    /// Trains the folds and evaluates the ensemble. Throws CancelledError
    /// when cancelled (finished folds keep their run folders), and what a
    /// fold's training throws.
    KFoldResult run(const CancelToken& cancel);

private:
    void message(const std::string& text);

    ExperimentConfig base_;
    KFoldOptions options_;
    std::vector<TrainingObserver*> observers_;
};

} // namespace medulla
