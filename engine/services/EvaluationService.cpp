#include "engine/services/EvaluationService.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/core/Threads.h"
#include "engine/training/EvaluationData.h"
#include "engine/training/Experiment.h"
#include "engine/training/ModelEvaluation.h"
#include "engine/training/SupervisedEvaluator.h"
#include "engine/training/handlers/SegmentationSaver.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

ExperimentConfig experimentOf(const EvaluationRequest& request) {
    if (request.experiment.is_object())
        return ExperimentConfig::fromJson(request.experiment, "experiment");
    if (!request.experimentJson.empty())
        return ExperimentConfig::load(request.experimentJson);
    if (request.model.empty())
        throw ConfigError("no model chosen", {}, "model");
    const fs::path inRun = fs::path(request.model) / "experiment.json";
    if (!fs::is_directory(request.model) || !fs::exists(inRun))
        throw IoError("no experiment.json in the model's run folder; choose a run folder",
                      inRun.string());
    return ExperimentConfig::load(inRun.string());
}

/// Mean of the row's non-NaN values (inf propagates); NaN when none.
double meanOfRow(const std::vector<double>& row) {
    double sum = 0;
    int n = 0;
    for (double v : row)
        if (!std::isnan(v)) {
            sum += v;
            ++n;
        }
    return n ? sum / n : std::nan("");
}

/// The last row of `evaluator`'s metric stored under `name`, averaged.
double lastCaseMean(const SupervisedEvaluator& evaluator, const std::string& name) {
    for (const auto& [key, metric] : evaluator.metrics())
        if (key == name) {
            const MetricTable t = metric->table();
            return t.rows.empty() ? std::nan("") : meanOfRow(t.rows.back());
        }
    return std::nan("");
}

std::vector<Sample> toSamples(const std::vector<std::pair<std::string, std::string>>& cases) {
    std::vector<Sample> out;
    for (const auto& [image, label] : cases) {
        Sample s;
        s.paths["image"] = image;
        if (!label.empty())
            s.paths["label"] = label;
        out.push_back(std::move(s));
    }
    return out;
}

/// One group of cases (all labelled or all unlabelled) through the engine's
/// ModelEvaluation; appends to `results`. False when cancelled.
bool runGroup(const ExperimentConfig& cfg, const TrainedModel& model,
              const std::vector<std::pair<std::string, std::string>>& cases, bool labelled,
              const EvaluationRequest& request, const CaseCallback& onCase, int doneBefore,
              int total, const CancelToken& cancel, std::vector<CaseResult>& results) {
    if (cases.empty())
        return true;
    ModelEvaluationOptions options;
    options.labelled = labelled;
    options.scores = {"hd95", "asd"};
    options.predictionsDir = request.outputDir;
    ModelEvaluation evaluation(cfg, model, toSamples(cases), options);
    SupervisedEvaluator& evaluator = evaluation.evaluator();
    SegmentationSaver* saver = evaluation.saver();
    evaluator.on(Event::IterationCompleted, [&](Workflow& w) {
        const size_t k = size_t(w.state().epochIteration) - 1;
        CaseResult r;
        r.image = k < cases.size() ? cases[k].first : std::string();
        r.label = k < cases.size() ? cases[k].second : std::string();
        r.prediction = saver && !saver->written().empty() ? saver->written().back() : "";
        r.scored = labelled;
        if (labelled) {
            const auto& ids = evaluator.keyMetric().caseIds();
            r.caseName = ids.empty() ? std::string() : ids.back();
            r.dice = lastCaseMean(evaluator, "dice");
            r.hd95 = lastCaseMean(evaluator, "hd95");
            r.meanSurfaceDistance = lastCaseMean(evaluator, "asd");
        } else {
            r.caseName = fs::path(r.image).filename().string();
            r.dice = r.hd95 = r.meanSurfaceDistance = std::nan("");
        }
        results.push_back(r);
        if (onCase)
            onCase(results.back(), doneBefore + int(k) + 1, total);
    });
    try {
        return evaluation.run(cancel) != JobState::Cancelled;
    } catch (const CancelledError&) {
        return false;
    }
}

} // namespace

Json evaluationExperiment(const EvaluationRequest& request) {
    return experimentOf(request).toJson();
}

std::vector<std::pair<std::string, std::string>> validationCases(const EvaluationRequest& request) {
    const ExperimentConfig cfg = experimentOf(request);
    std::vector<std::pair<std::string, std::string>> out;
    for (const Sample& s : evaluationCases(cfg, "validation")) {
        auto image = s.paths.find("image");
        auto label = s.paths.find("label");
        out.emplace_back(image == s.paths.end() ? std::string() : image->second,
                         label == s.paths.end() ? std::string() : label->second);
    }
    return out;
}

std::vector<CaseResult> evaluateCases(const EvaluationRequest& request, const CaseCallback& onCase,
                                      const CancelToken* cancel) {
    if (request.outputDir.empty())
        throw ConfigError("no folder for the predictions", {}, "outputDir");
    const ExperimentConfig cfg = experimentOf(request);
    configureThreads(request.threads > 0 ? request.threads : int(cfg.trainer.threads));
    std::vector<std::pair<std::string, std::string>> cases =
        request.cases.empty() ? validationCases(request) : request.cases;
    std::vector<std::pair<std::string, std::string>> labelled, unlabelled;
    for (const auto& c : cases) {
        if (c.first.empty())
            throw ConfigError("a case without an image", {}, "cases");
        if (!fs::exists(c.first))
            throw IoError("image not found", c.first);
        if (!c.second.empty() && !fs::exists(c.second))
            throw IoError("label not found", c.second);
        (c.second.empty() ? unlabelled : labelled).push_back(c);
    }
    const TrainedModel model = loadTrainedModel(cfg, request.model);
    CancelToken never;
    const CancelToken& token = cancel ? *cancel : never;
    std::vector<CaseResult> results;
    const int total = int(cases.size());
    if (runGroup(cfg, model, labelled, true, request, onCase, 0, total, token, results))
        runGroup(cfg, model, unlabelled, false, request, onCase, int(labelled.size()), total, token,
                 results);
    return results;
}

std::string formatMetric(double value, int decimals) {
    if (!std::isfinite(value))
        return "\u2014";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

} // namespace medulla
