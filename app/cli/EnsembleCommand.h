#pragma once
/// `medulla ensemble`: several trained models of one experiment evaluated
/// together (engine/training/EnsembleEvaluator.h) on a datalist section:
///
///   medulla ensemble EXPERIMENT.json --models PATH,PATH,... [--mode mean|vote]
///                    [--weights w1,w2,...] [--section validation|test|<key>]
///                    [--datalist FILE] [--output DIR] [--save-predictions]
///                    [--threads N] [--quiet]
///
/// Each PATH is a run folder, a Medulla checkpoint or a PyTorch state dict
/// of the experiment's network (loadModelWeights). The cases are the
/// experiment's validation split by default (evaluationCases), run through
/// its val_transforms and inferer. Prints a progress line per case (stderr;
/// not with --quiet), then per case the Dice without the background of each
/// model and of the ensemble (the mean over the classes), the means, and
/// writes them to <output>/ensemble.csv (atomically; default output:
/// <output_dir>/ensemble). --save-predictions writes the ensemble's label
/// maps in the original image space to <output>/predictions
/// (SegmentationSaver). Ctrl-C stops between cases (exit code 130).

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace medulla::cli {

struct EnsembleArgs {
    std::string experiment;
    std::vector<std::string> models;
    std::string mode = "mean";
    std::vector<double> weights;
    std::string section = "validation";
    std::string datalist;
    std::string output;
    bool savePredictions = false;
    int threads = 0;
    bool quiet = false;
};

/// Adds the "ensemble" subcommand filling `args` (which must outlive the
/// parse); returns it.
CLI::App* addEnsembleCommand(CLI::App& app, EnsembleArgs& args);

/// Returns the exit code (130 when interrupted). `interrupted` is polled
/// while the evaluation runs; once it returns true the run stops after the
/// current case. Throws medulla::Error naming the file or field.
int runEnsemble(const EnsembleArgs& args, const std::function<bool()>& interrupted);

} // namespace medulla::cli
