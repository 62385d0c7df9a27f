#include "app/cli/EvaluateCommand.h"

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "app/cli/ConsoleObserver.h"
#include "app/cli/InferenceSetup.h"
#include "engine/core/Error.h"
#include "engine/core/Threads.h"
#include "engine/data/Datalist.h"
#include "engine/training/EvaluationData.h"
#include "engine/training/SupervisedEvaluator.h"
#include "engine/training/handlers/SegmentationSaver.h"

namespace fs = std::filesystem;

namespace medulla::cli {
namespace {

std::string formatValue(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
}

/// The cases of --section (see EvaluateCommand.h): the engine's rule,
/// shared with `medulla ensemble` (engine/training/EvaluationData.h).
std::vector<Sample> evaluationCases(const EvaluateArgs& args, const ExperimentConfig& cfg) {
    return medulla::evaluationCases(cfg, args.section, args.datalist);
}

/// One line per case: "[k/n] case  Dice[1] 0.8123  ETA 0:12".
void printCase(const Evaluator& evaluator, size_t total,
               std::chrono::steady_clock::time_point start) {
    const MetricTable t = evaluator.keyMetric().table();
    const size_t done = size_t(evaluator.state().epochIteration);
    std::string line = "[" + std::to_string(done) + "/" + std::to_string(total) + "]";
    if (!t.caseIds.empty()) {
        line += " " + t.caseIds.back();
        for (size_t c = 0; c < t.columns.size(); ++c)
            line += "  " + t.columns[c] + " " + formatValue(t.rows.back()[c]);
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (done < total)
        line += "  ETA " +
                ConsoleObserver::formatDuration(elapsed / double(done) * double(total - done));
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

void printTable(const MetricTable& t) {
    std::printf("case");
    for (const auto& c : t.columns)
        std::printf("\t%s", c.c_str());
    std::printf("\n");
    for (size_t i = 0; i < t.caseIds.size(); ++i) {
        std::printf("%s", t.caseIds[i].c_str());
        for (double v : t.rows[i])
            std::printf("\t%s", formatValue(v).c_str());
        std::printf("\n");
    }
}

} // namespace

CLI::App* addEvaluateCommand(CLI::App& app, EvaluateArgs& args) {
    auto* cmd = app.add_subcommand(
        "evaluate", "Score a trained model on labelled cases with the experiment's "
                    "val_transforms and inferer: per-case table, means, evaluation.csv, and "
                    "optionally the predicted label maps in the original image space");
    cmd->add_option("experiment", args.experiment, "experiment JSON")->required();
    cmd->add_option("--model", args.model,
                    "run folder (best_model_state.pt, best_model.pt or checkpoint.pt), Medulla "
                    "checkpoint or PyTorch state dict")
        ->required();
    cmd->add_option("--section", args.section,
                    "validation (default: the experiment's validation cases, split as the "
                    "trainer split them), test, or any list of the datalist");
    cmd->add_option("--datalist", args.datalist,
                    "Decathlon dataset.json to use instead of the experiment's data.dataset");
    cmd->add_option("--metrics", args.metrics,
                    "comma-separated: dice, iou, hd, hd95, asd, nsd (default dice; Dice without "
                    "background is always the key metric)")
        ->delimiter(',')
        ->check(CLI::IsMember({"dice", "iou", "hd", "hd95", "asd", "nsd"}));
    cmd->add_option("--output", args.output,
                    "folder of evaluation.csv and predictions/ (default: <output_dir>/evaluation)");
    cmd->add_flag("--save-predictions", args.savePredictions,
                  "write every predicted label map to <output>/predictions/, in the original "
                  "image space");
    cmd->add_option("--threads", args.threads, "intra-op threads (default: trainer.threads)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--quiet", args.quiet, "no line per case, only the table and the means");
    return cmd;
}

int runEvaluate(const EvaluateArgs& args, const std::function<bool()>& interrupted) {
    const ExperimentConfig cfg = ExperimentConfig::load(args.experiment);
    const int threads =
        configureThreads(args.threads > 0 ? args.threads : int(cfg.trainer.threads));
    const TrainedModel model = loadTrainedModel(cfg, args.model);
    const fs::path out =
        args.output.empty() ? fs::path(cfg.outputDir) / "evaluation" : fs::path(args.output);
    std::vector<Sample> cases = evaluationCases(args, cfg);
    const size_t total = cases.size();
    std::printf("evaluating %s (%s) on %zu %s cases, device %s, %d threads\n",
                model.weightsFile.c_str(), cfg.network.value("name", "network").c_str(), total,
                args.section.c_str(), model.device.str().c_str(), threads);
    std::fflush(stdout);

    // one case at a time, the next one loaded while this one is predicted
    ModelEvaluationOptions evalOptions;
    evalOptions.scores = args.metrics;
    if (args.savePredictions)
        evalOptions.predictionsDir = (out / "predictions").string();
    ModelEvaluation evaluation(cfg, model, std::move(cases), evalOptions);
    SupervisedEvaluator& evaluator = evaluation.evaluator();
    SegmentationSaver* saver = evaluation.saver();
    const auto start = std::chrono::steady_clock::now();
    if (!args.quiet)
        evaluator.on(Event::IterationCompleted,
                     [&](Workflow&) { printCase(evaluator, total, start); });

    const JobState state = runInterruptible(
        [&](const CancelToken& cancel) { return evaluation.run(cancel); }, interrupted);
    if (state == JobState::Cancelled) {
        std::printf("cancelled after %lld of %zu cases; no evaluation.csv written\n",
                    static_cast<long long>(evaluator.state().epochIteration), total);
        return 130;
    }
    const MetricTable table = evaluator.table();
    printTable(table);
    std::printf("mean over %zu cases (NaN excluded):", table.caseIds.size());
    for (const auto& [name, metric] : evaluator.metrics()) {
        auto it = evaluator.state().metrics.find(name);
        if (it != evaluator.state().metrics.end())
            std::printf("  %s %s", metric->shortName().c_str(), formatValue(it->second).c_str());
    }
    std::printf("\n");
    const std::string csv = (out / "evaluation.csv").string();
    table.writeCsv(csv);
    std::printf("wrote %s\n", csv.c_str());
    if (saver)
        std::printf("wrote %zu predictions in %s\n", saver->written().size(),
                    (out / "predictions").string().c_str());
    return 0;
}

} // namespace medulla::cli
