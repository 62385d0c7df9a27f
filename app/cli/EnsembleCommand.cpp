#include "app/cli/EnsembleCommand.h"

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "app/cli/InferenceSetup.h"
#include "engine/core/Error.h"
#include "engine/core/Progress.h"
#include "engine/core/Threads.h"
#include "engine/data/CacheDataset.h"
#include "engine/data/DataLoader.h"
#include "engine/data/Dataset.h"
#include "engine/training/AmpHooks.h"
#include "engine/training/EnsembleEvaluator.h"
#include "engine/training/EvaluationData.h"
#include "engine/training/handlers/SegmentationSaver.h"
#include "engine/transforms/Compose.h"

namespace fs = std::filesystem;

namespace medulla::cli {
namespace {

/// What the evaluation thread hands back.
struct EnsembleRun {
    JobState state = JobState::Completed;
    int64_t casesDone = 0;
    MetricTable table; ///< model_<k> columns + ensemble
    std::map<std::string, double> metrics;
    std::string keyMetric;
    size_t predictionsWritten = 0;
};

std::string caseName(const EvaluatorOutput& out, int64_t index) {
    if (!out.records.empty()) {
        const std::string d = Dataset::describe(out.records.front());
        if (!d.empty())
            return fs::path(d).filename().string();
    }
    return "case " + std::to_string(index);
}

/// The cases through the ensemble of `models`, on the calling thread;
/// fills `run` as it goes (casesDone also when cancelled).
void evaluate(const ExperimentConfig& config, std::vector<Sample> cases,
              const std::vector<TrainedModel>& models, const EnsembleEvaluatorOptions& ensemble,
              const EnsembleArgs& args, const fs::path& output, int threads,
              const CancelToken& cancel, EnsembleRun& run) {
    const int64_t total = int64_t(cases.size());
    NullProgress none;
    CacheDataset data(std::move(cases), Compose::fromJson(config.valTransforms, "val_transforms"),
                      CacheDatasetOptions().num_workers(threads), none, &cancel);
    DataLoader loader(data, DataLoaderOptions().batch_size(1)); // datalist order
    std::vector<NetworkPtr> nets;
    for (const auto& m : models)
        nets.push_back(m.network);
    const c10::Device device = models.front().device;
    EnsembleEvaluator evaluator(
        device, loader, std::move(nets), ensemble,
        EvaluatorOptions().require_label(false).channels_last(models.front().channelsLast), nullptr,
        models.front().inferer);
    if (config.trainer.amp)
        evaluator.setStepHooks(ampEvaluationHooks(device));
    std::shared_ptr<SegmentationSaver> saver;
    if (args.savePredictions) {
        saver = std::make_shared<SegmentationSaver>(
            SegmentationSaverOptions().output_dir((output / "predictions").string()).mode("label"));
        evaluator.addHandler(saver);
    }
    evaluator.on(Event::IterationCompleted, [&](Workflow&) {
        ++run.casesDone;
        if (args.quiet)
            return;
        const EvaluatorOutput& out = evaluator.lastOutput();
        std::string line = "[" + std::to_string(run.casesDone) + "/" + std::to_string(total) +
                           "] " + caseName(out, run.casesDone - 1);
        if (out.label.defined()) {
            const MetricTable t = evaluator.summaryTable();
            for (size_t c = 0; c < t.columns.size(); ++c) {
                char value[32];
                std::snprintf(value, sizeof value, " %.4f", t.rows.back()[c]);
                line += "  " + t.columns[c] + value;
            }
        } else {
            line += "  (no label: not scored)";
        }
        std::fprintf(stderr, "%s\n", line.c_str());
        std::fflush(stderr);
    });
    run.state = evaluator.run(1, cancel);
    run.table = evaluator.summaryTable();
    run.metrics = evaluator.state().metrics;
    run.keyMetric = evaluator.state().keyMetricName;
    run.predictionsWritten = saver ? saver->written().size() : 0;
}

std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", v);
    return text;
}

} // namespace

CLI::App* addEnsembleCommand(CLI::App& app, EnsembleArgs& args) {
    CLI::App* cmd = app.add_subcommand(
        "ensemble", "Evaluate several trained models of an experiment and their ensemble (mean "
                    "of the softmax probabilities or majority vote) on a datalist section");
    cmd->add_option("experiment", args.experiment, "experiment JSON the models were trained with")
        ->required();
    cmd->add_option("--models", args.models,
                    "comma-separated: run folders, Medulla checkpoints or PyTorch state dicts")
        ->delimiter(',')
        ->required();
    cmd->add_option("--mode", args.mode, "mean (softmax probabilities, default) or vote (labels)")
        ->check(CLI::IsMember({"mean", "vote"}));
    cmd->add_option("--weights", args.weights, "per-model weights of the mean (>= 0)")
        ->delimiter(',');
    cmd->add_option("--section", args.section,
                    "validation (the trainer's validation cases, default), test, or any list "
                    "of the datalist");
    cmd->add_option("--datalist", args.datalist, "dataset.json instead of the experiment's");
    cmd->add_option("--output", args.output,
                    "folder of ensemble.csv (default <output_dir>/ensemble)");
    cmd->add_flag("--save-predictions", args.savePredictions,
                  "write the ensemble's label maps in the original image space to "
                  "<output>/predictions");
    cmd->add_option("--threads", args.threads, "intra-op threads")->check(CLI::PositiveNumber);
    cmd->add_flag("--quiet", args.quiet, "no progress line per case");
    return cmd;
}

int runEnsemble(const EnsembleArgs& args, const std::function<bool()>& interrupted) {
    ExperimentConfig config = ExperimentConfig::load(args.experiment);
    const int threads =
        configureThreads(args.threads > 0 ? args.threads : int(config.trainer.threads));
    const EnsembleEvaluatorOptions ensemble =
        EnsembleEvaluatorOptions().mode(args.mode).weights(args.weights).score_members(true);
    ensemble.check(args.models.size()); // before loading anything
    std::vector<TrainedModel> models;
    for (size_t k = 0; k < args.models.size(); ++k) {
        models.push_back(loadTrainedModel(config, args.models[k]));
        std::printf("model %zu: %s\n", k, models.back().weightsFile.c_str());
    }
    std::vector<Sample> cases = evaluationCases(config, args.section, args.datalist);
    const fs::path output =
        args.output.empty() ? fs::path(config.outputDir) / "ensemble" : fs::path(args.output);
    std::printf("ensemble (%s of %zu models) on %zu %s cases, device %s, output in %s\n",
                args.mode.c_str(), models.size(), cases.size(), args.section.c_str(),
                models.front().device.str().c_str(), fs::absolute(output).string().c_str());
    std::fflush(stdout);

    EnsembleRun run;
    run.state = runInterruptible(
        [&](const CancelToken& cancel) {
            evaluate(config, std::move(cases), models, ensemble, args, output, threads, cancel,
                     run);
            return run.state;
        },
        interrupted);
    if (run.state == JobState::Cancelled) {
        std::printf("cancelled after %lld case(s); no ensemble.csv written\n",
                    static_cast<long long>(run.casesDone));
        return 130;
    }
    if (args.savePredictions)
        std::printf("wrote %zu prediction(s) to %s\n", run.predictionsWritten,
                    (output / "predictions").string().c_str());
    if (run.table.caseIds.empty()) {
        std::printf("no case of %s has a label: predictions only, no scores\n",
                    args.section.c_str());
        return 0;
    }
    // per case, then the means (each metric's aggregate over cases and classes)
    std::string header = "case";
    for (const auto& c : run.table.columns)
        header += "\t" + c;
    std::printf("%s\n", header.c_str());
    for (size_t i = 0; i < run.table.rows.size(); ++i) {
        std::string line = run.table.caseIds[i];
        for (double v : run.table.rows[i])
            line += "\t" + number(v);
        std::printf("%s\n", line.c_str());
    }
    std::string means = "mean";
    for (size_t k = 0; k < args.models.size(); ++k)
        means += "\t" + number(run.metrics.at(EnsembleEvaluator::memberName(k)));
    means += "\t" + number(run.metrics.at(run.keyMetric));
    std::printf("%s\n", means.c_str());
    for (size_t k = 0; k < args.models.size(); ++k)
        std::printf("model %zu: mean Dice %.4f\n", k,
                    run.metrics.at(EnsembleEvaluator::memberName(k)));
    std::printf("ensemble (%s of %zu models): mean Dice %.4f\n", args.mode.c_str(),
                args.models.size(), run.metrics.at(run.keyMetric));
    std::error_code ec;
    fs::create_directories(output, ec);
    if (ec)
        throw IoError("cannot create the output folder: " + ec.message(), output.string());
    const std::string csv = (output / "ensemble.csv").string();
    run.table.writeCsv(csv);
    std::printf("per-case Dice: %s\n", csv.c_str());
    return 0;
}

} // namespace medulla::cli
