#pragma once
/// `medulla evaluate EXPERIMENT.json --model PATH`: a trained model scored on
/// labelled cases the way the experiment validates (its val_transforms and
/// inferer, one case at a time): a line per case while it runs, then the
/// per-case table and the means, written to <output>/evaluation.csv; with
/// --save-predictions, every predicted label map in the original image
/// space under <output>/predictions/ (SegmentationSaver).
///
///   medulla evaluate EXPERIMENT.json --model PATH [--section S]
///                    [--datalist FILE] [--metrics dice,iou,hd95,asd,nsd]
///                    [--output DIR] [--save-predictions] [--threads N] [--quiet]
///
/// Cases: --section "validation" (the default) is the experiment's
/// validation set, chosen as the trainer chose it (data.validation_key, else
/// the seeded val_fraction split of data.datalist_key); any other section is
/// that list of the datalist ("test", "training", ...). --datalist replaces
/// the experiment's dataset.json.

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace medulla::cli {

struct EvaluateArgs {
    std::string experiment;
    std::string model;
    std::string section = "validation";
    std::string datalist;                        ///< "": the experiment's data.dataset
    std::vector<std::string> metrics = {"dice"}; ///< dice is always the key metric
    std::string output;                          ///< "": <output_dir>/evaluation
    bool savePredictions = false;
    int threads = 0;
    bool quiet = false;
};

/// Registers the "evaluate" subcommand, filling `args`.
CLI::App* addEvaluateCommand(CLI::App& app, EvaluateArgs& args);

/// Returns the exit code (130 when interrupted: `interrupted` is polled
/// while it runs and stops it between cases). Throws medulla::Error naming
/// the file or field.
int runEvaluate(const EvaluateArgs& args, const std::function<bool()>& interrupted);

} // namespace medulla::cli
