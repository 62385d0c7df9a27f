/// medulla: the headless command-line tool. Runs the same experiment files
/// as the studio.
///
///   medulla train EXPERIMENT.json [--output-dir DIR] [--epochs N] [--threads N]
///                 [--resume [CHECKPOINT]] [--deterministic]
///   medulla info PATH [--json] [--reader NAME] [--series UID] [--thumbnails]
///   medulla demo-data DIR [--cases N] [--seed S]
///   medulla demo [--epochs N] [--output-dir DIR] [--cases N] [--threads N]
///   medulla decathlon --task TASK --root DIR [--download] [--section S] [--url URL --md5 MD5]
///   medulla weights import|export|check INPUT --network NET.json [-o OUTPUT]
///   medulla evaluate EXPERIMENT.json --model PATH [--section S] [--save-predictions] ...
///   medulla infer EXPERIMENT.json --model PATH --input FILE|FOLDER|LIST.json ...
///   medulla ensemble EXPERIMENT.json --models PATH,PATH,... [--mode mean|vote] ...
///   medulla reference [--output FILE]   (docs/reference.md)
///   medulla launch --nproc-per-node N [--nnodes M --node-rank R --master-addr A
///                  --master-port P] [--log-dir DIR] -- train EXPERIMENT.json ...

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "app/cli/ConsoleObserver.h"
#include "app/cli/DecathlonCommand.h"
#include "app/cli/DemoCommand.h"
#include "app/cli/EnsembleCommand.h"
#include "app/cli/EvaluateCommand.h"
#include "app/cli/GanCommand.h"
#include "app/cli/InferCommand.h"
#include "app/cli/InfoCommand.h"
#include "app/cli/KFoldCommand.h"
#include "app/cli/LaunchCommand.h"
#include "app/cli/ReferenceCommand.h"
#include "app/cli/ScoreCommand.h"
#include "app/cli/WeightsCommand.h"
#include "engine/core/Error.h"
#include "engine/data/SyntheticData.h"
#include "engine/distributed/DistributedEnv.h"
#include "engine/io/ImageLoader.h"
#include "engine/services/VersionReport.h"
#include "engine/training/GanExperiment.h"
#include "engine/training/TrainingJob.h"
#include "engine/training/handlers/CheckpointSaver.h"

#ifndef MEDULLA_RESOURCE_DIR
#define MEDULLA_RESOURCE_DIR ""
#endif

namespace {

volatile std::sig_atomic_t g_interrupts = 0;

/// Only counts: the main thread turns the first Ctrl-C into a cancel request
/// (the run stops after the current iteration, keeping its checkpoints); a
/// second one exits at once.
void onSignal(int) {
    g_interrupts = g_interrupts + 1;
    if (g_interrupts > 1)
        std::_Exit(130);
}

struct TrainArgs {
    std::string experiment, outputDir;
    int epochs = 0, threads = 0;
    bool quiet = false;
    bool resume = false;    ///< --resume given
    std::string resumeFrom; ///< its value; empty: the run folder's latest checkpoint
    bool deterministic = false;
};

/// The checkpoint `--resume` continues from. Throws IoError naming the file
/// when there is none.
std::string resumeCheckpoint(const TrainArgs& a, const medulla::ExperimentConfig& config) {
    std::string path = a.resumeFrom;
    if (path.empty()) {
        const auto saving =
            medulla::checkpointSaverOptionsFromJson(config.checkpoint, config.outputDir);
        if (saving.latest_filename().empty())
            throw medulla::ConfigError("--resume without a file needs a latest checkpoint name",
                                       a.experiment, "checkpoint.latest_filename");
        path = (std::filesystem::path(config.outputDir) / saving.latest_filename()).string();
    }
    if (!std::filesystem::exists(path))
        throw medulla::IoError("no checkpoint to resume from (has this run saved one yet?)", path);
    return path;
}

int runTrain(const TrainArgs& a) {
    const std::string& file = a.experiment;
    const bool quiet = a.quiet;
    if (medulla::isGanExperimentFile(file)) { // "workflow": "gan"
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        return medulla::cli::runGanTrain({file, a.outputDir, a.epochs, a.threads, quiet, a.resume,
                                          a.resumeFrom, a.deterministic},
                                         [] { return g_interrupts > 0; });
    }
    auto config = medulla::ExperimentConfig::load(file);
    if (!a.outputDir.empty())
        config.outputDir = a.outputDir;
    if (a.epochs > 0)
        config.trainer.max_epochs = a.epochs;
    if (a.threads > 0)
        config.trainer.threads = a.threads;
    if (a.deterministic)
        config.trainer.deterministic = true;
    const std::string resume = a.resume ? resumeCheckpoint(a, config) : std::string();
    // one process of `medulla launch` / torchrun: RANK, WORLD_SIZE, MASTER_*
    const medulla::DistributedEnv env = medulla::DistributedEnv::fromEnvironment();
    const bool main = env.rank == 0; // only rank 0 reports; the others print errors
    if (main)
        std::printf("experiment %s: %s, %lld epochs, output in %s\n", config.name.c_str(),
                    file.c_str(), static_cast<long long>(config.trainer.max_epochs),
                    std::filesystem::absolute(config.outputDir).string().c_str());
    medulla::cli::ConsoleObserver observer(quiet || !main, !main);
    medulla::TrainingJob job(config, &observer);
    job.setDistributed(env);
    if (!resume.empty()) {
        if (main)
            std::printf("resuming from %s\n", resume.c_str());
        job.resumeFrom(resume);
    }
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    job.start();
    bool cancelRequested = false;
    while (!medulla::isFinal(job.state())) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (g_interrupts > 0 && !cancelRequested) {
            job.cancel();
            cancelRequested = true;
        }
    }
    job.wait();
    switch (job.state()) {
    case medulla::JobState::Completed:
        if (main)
            std::printf("results: %s\n",
                        std::filesystem::absolute(config.outputDir).string().c_str());
        return 0;
    case medulla::JobState::Cancelled:
        if (main)
            std::printf("cancelled; the last checkpoint is in %s\n",
                        std::filesystem::absolute(config.outputDir).string().c_str());
        return 130;
    default:
        return 1;
    }
}

int runDemoData(const std::string& dir, int cases, int seed) {
    medulla::SyntheticDatasetOptions o;
    o.num_cases(cases).seed(uint64_t(seed));
    o.image(medulla::SyntheticImageOptions()
                .num_objs(8)
                .rad_max(14)
                .rad_min(5)
                .noise_max(0.3)
                .num_seg_classes(1));
    medulla::NullProgress none;
    medulla::writeSyntheticDataset(dir, o, none);
    std::printf("wrote %d cases and %s/dataset.json\n", cases, dir.c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Medulla: medical-imaging deep learning, headless"};
    app.require_subcommand(1);
    app.add_flag_callback(
        "--version",
        [] { // runs before the subcommand requirement is checked
            std::fputs(medulla::versionReport().text().c_str(), stdout);
            throw CLI::Success(); // exit 0
        },
        "Print the versions of Medulla, LibTorch, ITK, VTK, DCMTK and Qt, CUDA and GPUs, and "
        "exit");

    std::string dataDir;
    int cases = 16, seed = 0;
    TrainArgs trainArgs;
    auto* train = app.add_subcommand("train", "Train the experiment described by a JSON file");
    train
        ->add_option("experiment", trainArgs.experiment,
                     "experiment JSON (see resources/demo_experiment.json)")
        ->required();
    train->add_option("--output-dir", trainArgs.outputDir, "override output_dir");
    train->add_option("--epochs", trainArgs.epochs, "override trainer.max_epochs")
        ->check(CLI::PositiveNumber);
    train->add_option("--threads", trainArgs.threads, "intra-op threads (default: all cores)")
        ->check(CLI::PositiveNumber);
    train->add_flag("--quiet", trainArgs.quiet, "no progress bar or log lines, only epochs");
    train
        ->add_option("--resume", trainArgs.resumeFrom,
                     "continue an interrupted run exactly where it stopped, from CHECKPOINT "
                     "(default: the run folder's checkpoint.pt)")
        ->expected(0, 1);
    train->add_flag("--deterministic", trainArgs.deterministic,
                    "bitwise repeatable training (also set trainer.deterministic; fix --threads)");
    auto* info = app.add_subcommand(
        "info", "Print what an image file or DICOM folder holds: reader, shape, type, geometry, "
                "DICOM tags (a folder of several series: its study index)");
    medulla::cli::InfoArgs infoArgs;
    info->add_option("path", infoArgs.path,
                     "image file (.nii .nii.gz .nrrd .mha .mhd .png .jpg .bmp .tif .npy .npz "
                     ".dcm) or DICOM folder")
        ->required();
    info->add_flag("--json", infoArgs.json, "one JSON object instead of text");
    info->add_option("--reader", infoArgs.reader,
                     "force a reader: NiftiReader, ITKReader, DicomReader, NumpyReader");
    info->add_option("--series", infoArgs.series, "SeriesInstanceUID to load from a folder");
    info->add_flag("--thumbnails", infoArgs.thumbnails, "decode a mid-slice thumbnail per series");
    auto* demo = app.add_subcommand("demo-data", "Write the seeded synthetic demo dataset");
    demo->add_option("dir", dataDir, "output folder")->required();
    demo->add_option("--cases", cases, "number of cases")->check(CLI::PositiveNumber);
    demo->add_option("--seed", seed, "seed");

    auto* decathlon = app.add_subcommand(
        "decathlon", "Download, verify and extract a Medical Segmentation Decathlon task and "
                     "print its training/validation/test split");
    medulla::cli::DecathlonArgs decathlonArgs;
    decathlon->add_option("--task", decathlonArgs.task, "Task01_BrainTumour ... Task10_Colon")
        ->required();
    decathlon->add_option("--root", decathlonArgs.root, "folder holding TASK.tar and TASK/")
        ->required();
    decathlon->add_option("--section", decathlonArgs.section, "training, validation or test")
        ->check(CLI::IsMember({"training", "validation", "test"}));
    decathlon->add_flag("--download", decathlonArgs.download,
                        "download and extract the task if TASK/dataset.json is missing");
    decathlon->add_flag("--list", decathlonArgs.list, "print the cases of --section");
    decathlon->add_option("--url", decathlonArgs.url, "archive URL instead of MONAI's mirror");
    decathlon->add_option("--md5", decathlonArgs.md5, "archive MD5 (with --url)");
    decathlon->add_option("--seed", decathlonArgs.seed, "training/validation shuffle seed");
    decathlon->add_option("--val-frac", decathlonArgs.valFrac, "validation fraction")
        ->check(CLI::Range(0.0, 1.0));

    auto* weights = app.add_subcommand(
        "weights", "Import PyTorch/MONAI weights into a Medulla checkpoint, export a checkpoint "
                   "as a PyTorch state dict, or check that a weights file fits a network");
    medulla::cli::WeightsArgs weightsArgs;
    weights->add_option("action", weightsArgs.action, "import, export or check")
        ->required()
        ->check(CLI::IsMember({"import", "export", "check"}));
    weights
        ->add_option("input", weightsArgs.input,
                     "import/check: a torch.save file (state dict or checkpoint dict); export: a "
                     "Medulla checkpoint or state dict")
        ->required();
    weights
        ->add_option("--network", weightsArgs.network,
                     "JSON file: a network {\"name\": \"UNet\", ...} or an experiment")
        ->required();
    weights->add_option("-o,--output", weightsArgs.output, "file to write (import/export)");

    auto* score = app.add_subcommand(
        "score", "Per-case Dice, Hausdorff and surface distances between predicted and reference "
                 "label maps (two files, or two folders paired by file name), with CSV output");
    medulla::cli::ScoreArgs scoreArgs;
    score->add_option("--pred", scoreArgs.pred, "predicted label map, or a folder of them")
        ->required();
    score->add_option("--label", scoreArgs.label, "reference label map, or a folder of them")
        ->required();
    score
        ->add_option("--scores", scoreArgs.scores,
                     "comma-separated: dice, iou, hd, hd95, asd, nsd (default dice,hd95,asd)")
        ->delimiter(',')
        ->check(CLI::IsMember({"dice", "iou", "hd", "hd95", "asd", "nsd"}));
    score
        ->add_option("--classes", scoreArgs.classes,
                     "number of labels including background (default: largest label + 1)")
        ->check(CLI::Range(2, 1000));
    score->add_flag("--include-background", scoreArgs.includeBackground, "also score label 0");
    score
        ->add_option("--nsd-tolerance", scoreArgs.nsdTolerance,
                     "tolerance of the normalised surface Dice in mm (default 1)")
        ->check(CLI::PositiveNumber);
    score->add_option("--csv", scoreArgs.csv, "write the per-case table here (atomically)");

    auto* kfold = app.add_subcommand(
        "kfold", "K-fold cross-validation: train one model per fold on the experiment's "
                 "datalist, then ensemble them on a held-out test set");
    medulla::cli::KFoldArgs kfoldArgs;
    kfold->add_option("experiment", kfoldArgs.experiment, "experiment JSON")->required();
    kfold->add_option("--folds", kfoldArgs.folds, "number of folds (default 3)")
        ->check(CLI::Range(2, 100));
    kfold
        ->add_option("--test-fraction", kfoldArgs.testFraction,
                     "fraction of the cases held out as the test set (default 0.2)")
        ->check(CLI::Range(0.0, 1.0));
    kfold->add_option("--ensemble", kfoldArgs.ensemble, "mean (softmax) or vote (labels)")
        ->check(CLI::IsMember({"mean", "vote"}));
    kfold->add_option("--weights", kfoldArgs.weights, "per-model weights of the mean")
        ->delimiter(',');
    kfold->add_option("--output-dir", kfoldArgs.outputDir, "override output_dir");
    kfold->add_option("--epochs", kfoldArgs.epochs, "override trainer.max_epochs")
        ->check(CLI::PositiveNumber);
    kfold->add_option("--threads", kfoldArgs.threads, "intra-op threads")
        ->check(CLI::PositiveNumber);
    kfold->add_flag("--quiet", kfoldArgs.quiet, "no progress bar or log lines, only epochs");
    medulla::cli::EnsembleArgs ensembleArgs;
    auto* ensemble = medulla::cli::addEnsembleCommand(app, ensembleArgs);

    medulla::cli::EvaluateArgs evaluateArgs;
    auto* evaluate = medulla::cli::addEvaluateCommand(app, evaluateArgs);
    medulla::cli::InferArgs inferArgs;
    auto* infer = medulla::cli::addInferCommand(app, inferArgs);
    medulla::cli::LaunchArgs launchArgs;
    auto* launch = medulla::cli::addLaunchCommand(app, launchArgs);
    medulla::cli::ReferenceArgs referenceArgs;
    auto* reference = medulla::cli::addReferenceCommand(app, referenceArgs);
    medulla::cli::DemoArgs demoArgs;
    auto* demoRun = medulla::cli::addDemoCommand(app, demoArgs);

    CLI11_PARSE(app, argc, argv);
    if (*weights && weightsArgs.action != "check" && weightsArgs.output.empty()) {
        std::fprintf(stderr, "error: weights %s needs --output\n", weightsArgs.action.c_str());
        return 2;
    }
    try {
        if (*train) {
            trainArgs.resume = train->count("--resume") > 0;
            return runTrain(trainArgs);
        }
        if (*info)
            return medulla::cli::runInfo(infoArgs);
        if (*demo)
            return runDemoData(dataDir, cases, seed);
        if (*decathlon)
            return medulla::cli::runDecathlon(decathlonArgs);
        if (*weights)
            return medulla::cli::runWeights(weightsArgs);
        if (*kfold) {
            std::signal(SIGINT, onSignal);
            std::signal(SIGTERM, onSignal);
            return medulla::cli::runKFold(kfoldArgs, [] { return g_interrupts > 0; });
        }
        if (*ensemble) {
            std::signal(SIGINT, onSignal);
            std::signal(SIGTERM, onSignal);
            return medulla::cli::runEnsemble(ensembleArgs, [] { return g_interrupts > 0; });
        }
        if (*demoRun) { // the built-in experiment, trained like `train` does
            const medulla::cli::DemoRun run = medulla::cli::prepareDemo(demoArgs);
            TrainArgs demoTrain;
            demoTrain.experiment = run.experiment;
            demoTrain.outputDir = run.runDir;
            demoTrain.epochs = demoArgs.epochs;
            demoTrain.threads = demoArgs.threads;
            const int rc = runTrain(demoTrain);
            if (rc == 0)
                medulla::cli::printDemoSummary(run);
            return rc;
        }
        if (*reference) // after every add_*: it documents them all
            return medulla::cli::runReference(app, referenceArgs);
        if (*launch)
            return medulla::cli::runLaunch(launchArgs); // handles SIGINT/SIGTERM itself
        if (*score)
            return medulla::cli::runScore(scoreArgs);
        if (*evaluate || *infer) {
            std::signal(SIGINT, onSignal);
            std::signal(SIGTERM, onSignal);
            const auto interrupted = [] { return g_interrupts > 0; };
            return *evaluate ? medulla::cli::runEvaluate(evaluateArgs, interrupted)
                             : medulla::cli::runInfer(inferArgs, interrupted);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
