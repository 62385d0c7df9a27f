#include "engine/training/KFoldRunner.h"

#include <torch/torch.h>

#include <filesystem>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/data/CacheDataset.h"
#include "engine/data/CrossValidation.h"
#include "engine/data/DataLoader.h"
#include "engine/data/Datalist.h"
#include "engine/data/SyntheticData.h"
#include "engine/training/EnsembleEvaluator.h"
#include "engine/training/EvaluationData.h"
#include "engine/training/ModelWeights.h"
#include "engine/training/Trainer.h"

namespace fs = std::filesystem;

namespace medulla {

namespace {

/// A datalist entry with absolute paths, so the fold's file works anywhere.
Json entryOf(const Sample& s) {
    Json e = Json::object();
    for (const auto& [key, path] : s.paths)
        e[key] = fs::absolute(path).string();
    for (const auto& [key, text] : s.fields)
        e[key] = Json::parse(text, nullptr, false);
    return e;
}

void writeFoldDatalist(const DatalistSplit& split, const std::string& path) {
    Json list = {{"training", Json::array()}, {"validation", Json::array()}};
    for (const auto& s : split.train)
        list["training"].push_back(entryOf(s));
    for (const auto& s : split.validation)
        list["validation"].push_back(entryOf(s));
    writeTextAtomically(path, list.dump(1) + "\n");
}

/// Forwards a fold's events to the runner's observers, with the fold named
/// in its messages.
class FoldObserver : public TrainingObserver {
public:
    FoldObserver(std::vector<TrainingObserver*>& observers, std::string prefix)
        : observers_(observers), prefix_(std::move(prefix)) {}
    void onStateChanged(JobState s) override {
        for (auto* o : observers_)
            o->onStateChanged(s);
    }
    void onMessage(const std::string& m) override {
        for (auto* o : observers_)
            o->onMessage(prefix_ + m);
    }
    void onPreparing(double f, const std::string& what) override {
        for (auto* o : observers_)
            o->onPreparing(f, prefix_ + what);
    }
    void onIteration(const IterationEvent& e) override {
        for (auto* o : observers_)
            o->onIteration(e);
    }
    void onEpoch(const EpochEvent& e) override {
        for (auto* o : observers_)
            o->onEpoch(e);
    }
    void onPrediction(const PredictionEvent& e) override {
        for (auto* o : observers_)
            o->onPrediction(e);
    }
    void onFinished(JobState, const std::string&) override {}

private:
    std::vector<TrainingObserver*>& observers_;
    std::string prefix_;
};

EnsembleEvaluatorOptions ensembleOptions(const KFoldOptions& o) {
    return EnsembleEvaluatorOptions().mode(o.ensemble).weights(o.weights).score_members(true);
}

} // namespace

KFoldRunner::KFoldRunner(ExperimentConfig base, KFoldOptions options)
    : base_(std::move(base)), options_(std::move(options)) {
    if (options_.folds < 2)
        throw ConfigError("needs at least 2 folds, got " + std::to_string(options_.folds), {},
                          "folds");
    if (!(options_.test_fraction > 0 && options_.test_fraction < 1))
        throw ConfigError("must be in (0, 1), got " + std::to_string(options_.test_fraction), {},
                          "test_fraction");
    if (options_.ensemble != "mean" && options_.ensemble != "vote")
        throw ConfigError("must be \"mean\" or \"vote\", got \"" + options_.ensemble + "\"", {},
                          "ensemble");
    if (!options_.weights.empty() && static_cast<int>(options_.weights.size()) != options_.folds)
        throw ConfigError("needs one weight per fold (" + std::to_string(options_.folds) +
                              "), got " + std::to_string(options_.weights.size()),
                          {}, "weights");
    // the rest (negative or all-zero weights, weights of a vote) before
    // any fold trains
    ensembleOptions(options_).check(size_t(options_.folds));
}

void KFoldRunner::message(const std::string& text) {
    for (auto* o : observers_)
        o->onMessage(text);
}

KFoldResult KFoldRunner::run(const CancelToken& cancel) {
    const fs::path out(base_.outputDir);
    fs::create_directories(out);
    if (!base_.synthetic.is_null() && !fs::exists(base_.dataset)) {
        message("generating the synthetic dataset in " +
                fs::path(base_.dataset).parent_path().string());
        NullProgress none;
        writeSyntheticDataset(fs::path(base_.dataset).parent_path().string(),
                              syntheticOptionsFromJson(base_.synthetic), none, &cancel);
    }
    // 1. test set: numpy's RandomState(seed) shuffle, the first
    //    int(n * test_fraction) cases (MONAI's split rule).
    DatalistSplit outer = splitDatalist(loadDecathlonDatalist(base_.dataset, base_.datalistKey),
                                        options_.test_fraction, base_.trainer.seed);
    if (outer.validation.empty())
        throw ConfigError("leaves no test case among " + std::to_string(outer.train.size()) +
                              " cases",
                          base_.dataset, "test_fraction");
    message("k-fold: " + std::to_string(outer.train.size()) + " cases in " +
            std::to_string(options_.folds) + " folds, " + std::to_string(outer.validation.size()) +
            " test cases");
    // 2. one model per fold.
    CrossValidation cv(outer.train, options_.folds, base_.trainer.seed);
    std::vector<std::string> foldDirs;
    for (int k = 0; k < options_.folds; ++k) {
        const fs::path dir = out / ("fold_" + std::to_string(k));
        fs::create_directories(dir);
        writeFoldDatalist(cv.split(k), (dir / "datalist.json").string());
        ExperimentConfig cfg = base_;
        cfg.name = base_.name + "-fold" + std::to_string(k);
        cfg.outputDir = dir.string();
        cfg.dataset = (dir / "datalist.json").string();
        cfg.datalistKey = "training";
        cfg.validationKey = "validation";
        cfg.synthetic = Json();
        const std::string prefix =
            "[fold " + std::to_string(k + 1) + "/" + std::to_string(options_.folds) + "] ";
        message(prefix + "training in " + dir.string());
        FoldObserver fold(observers_, prefix);
        Trainer trainer(cfg);
        trainer.addObserver(&fold);
        if (trainer.run(cancel) == JobState::Cancelled)
            throw CancelledError();
        foldDirs.push_back(dir.string());
    }
    // 3. every model and their ensemble on the test set, in one pass.
    message("ensembling " + std::to_string(options_.folds) + " models (" + options_.ensemble +
            ") on " + std::to_string(outer.validation.size()) + " test cases");
    NullProgress none;
    CacheDataset testSet(std::move(outer.validation),
                         Compose::fromJson(base_.valTransforms, "val_transforms"),
                         CacheDatasetOptions(), none, &cancel);
    DataLoader loader(testSet, DataLoaderOptions().batch_size(1)); // datalist order
    const torch::Device device = evaluationDevice(base_);
    std::vector<NetworkPtr> models;
    for (const auto& dir : foldDirs) {
        NetworkPtr net = networkRegistry().create(base_.network, "network");
        loadModelWeights(*net, (fs::path(dir) / "best_model_state.pt").string());
        net->to(device);
        models.push_back(std::move(net));
    }
    EnsembleEvaluator evaluator(device, loader, models, ensembleOptions(options_),
                                EvaluatorOptions(), nullptr, evaluationInferer(base_));
    if (evaluator.run(1, cancel) == JobState::Cancelled)
        throw CancelledError();
    // 4. Dice of each model and of the ensemble.
    KFoldResult result;
    const auto& metrics = evaluator.state().metrics;
    for (size_t m = 0; m < models.size(); ++m)
        result.modelDice.push_back(metrics.at(EnsembleEvaluator::memberName(m)));
    result.ensembleDice = metrics.at(evaluator.state().keyMetricName);
    result.table = evaluator.summaryTable();
    result.csv = (out / "kfold_test.csv").string();
    result.table.writeCsv(result.csv);
    return result;
}

} // namespace medulla
