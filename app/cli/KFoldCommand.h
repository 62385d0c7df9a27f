#pragma once
/// `medulla kfold EXPERIMENT --folds K`: K-fold training on the experiment's
/// datalist with a held-out test set, then the K models' ensemble on it
/// (engine/training/KFoldRunner.h). Prints each fold's epochs, each model's
/// and the ensemble's test mean Dice, and writes kfold_test.csv.

#include <functional>
#include <string>
#include <vector>

namespace medulla::cli {

struct KFoldArgs {
    std::string experiment;
    int folds = 3;
    double testFraction = 0.2;
    std::string ensemble = "mean";
    std::vector<double> weights;
    std::string outputDir;
    int epochs = 0;
    int threads = 0;
    bool quiet = false;
};

/// Returns the exit code (130 when interrupted). `interrupted` is polled
/// while the run goes on; once it returns true the run is cancelled after
/// the current iteration. Throws medulla::Error naming the file or field.
int runKFold(const KFoldArgs& args, const std::function<bool()>& interrupted);

} // namespace medulla::cli
