#pragma once
/// `medulla demo`: the built-in demo, headless. Trains the demo experiment
/// (synthetic spheres, a small UNet) on data generated on the spot and says
/// where the results are.
///
///   medulla demo [--epochs N] [--output-dir DIR] [--cases N] [--threads N]
///
/// DIR (default ./medulla-demo) receives
///   DIR/demo_experiment.json   the built-in experiment with absolute paths
///                              into DIR (`medulla train` and
///                              `medulla-studio --experiment` run it as is)
///   DIR/data/                  the seeded synthetic dataset (dataset.json,
///                              imagesTr/, labelsTr/), written by the run
///                              when missing or when --cases changes
///   DIR/runs/run-YYYYMMDD-HHMMSS/   one run folder per demo (best_model.pt,
///                              metrics.csv, train.log, checkpoint.pt, ...);
///                              the studio's run history lists them
/// The built-in experiment is found by findDemoExperiment().

#include <string>

namespace CLI {
class App;
}

namespace medulla::cli {

struct DemoArgs {
    std::string outputDir = "medulla-demo";
    int epochs = 0;  ///< 0: the experiment's trainer.max_epochs
    int cases = 0;   ///< 0: the experiment's data.synthetic.num_cases
    int threads = 0; ///< 0: all cores
};

/// What prepareDemo() set up for the training run.
struct DemoRun {
    std::string experiment; ///< DIR/demo_experiment.json (absolute)
    std::string runDir;     ///< the new, empty run folder (absolute)
};

/// Registers the "demo" subcommand, filling `args`.
CLI::App* addDemoCommand(CLI::App& app, DemoArgs& args);

/// The built-in demo experiment file: `<binary>/../share/medulla/
/// demo_experiment.json` (an installed or packaged medulla), else the source
/// tree's resources/demo_experiment.json (a build tree). Throws IoError
/// naming the places looked at when neither exists.
std::string findDemoExperiment();

/// Writes DIR/demo_experiment.json (the built-in experiment, its data and
/// output under DIR, --cases applied) and creates the run folder. Removes
/// DIR/data/dataset.json when it lists another number of cases than asked
/// for, so that the run writes the data again. Throws IoError/ConfigError
/// naming the file.
DemoRun prepareDemo(const DemoArgs& args);

/// After a completed run: the run folder, its best model, metrics and log,
/// and the commands that look at them.
void printDemoSummary(const DemoRun& run);

} // namespace medulla::cli
