/// Whole training runs (Trainer) and their handlers on the tiny synthetic
/// experiment: the experiment's "handlers" section (round trip, errors that
/// name the field, early stopping that really stops), the TensorBoard event
/// file of every run (decoded independently, compared with the logged
/// losses), and exact resume: an epoch end cut short by a cancel in its
/// validation is redone, the epoch mean loss of a run resumed mid-epoch is
/// that of an uninterrupted run, and a changed thread count is warned about.
/// The resume cases run deterministically with 2 threads and compare
/// bitwise against one uninterrupted reference run (initTestCase).

#include "TensorBoardTestSupport.h"
#include "TestSupport.h"

#include <filesystem>
#include <fstream>
#include <regex>

#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"
#include "engine/training/CheckpointParts.h"
#include "engine/training/Experiment.h"
#include "engine/training/Trainer.h"
#include "engine/training/TrainingCheckpoint.h"
#include "engine/training/handlers/EarlyStopHandler.h"
#include "engine/training/handlers/TensorBoardHandler.h"

using namespace medulla;
namespace fs = std::filesystem;
namespace tb = medulla::test::tb;

namespace {

Json tinyExperiment(const std::string& dir, const std::string& run, int epochs) {
    return Json::parse(R"({
      "name": "tiny", "output_dir": ")" +
                       dir + "/" + run + R"(",
      "data": {"dataset": ")" +
                       dir + R"(/data/dataset.json", "val_fraction": 0.34,
               "synthetic": {"num_cases": 6, "seed": 1, "size": [32, 32, 32], "num_objs": 4,
                             "rad_max": 8, "rad_min": 3, "noise_max": 0.3, "num_seg_classes": 1}},
      "train_transforms": [
        {"name": "LoadImaged", "keys": ["image", "label"]},
        {"name": "EnsureChannelFirstd", "keys": ["image", "label"]},
        {"name": "ScaleIntensityd", "keys": ["image"]},
        {"name": "RandCropByPosNegLabeld", "keys": ["image", "label"], "spatial_size": [24, 24, 24], "num_samples": 2}],
      "val_transforms": [
        {"name": "LoadImaged", "keys": ["image", "label"]},
        {"name": "EnsureChannelFirstd", "keys": ["image", "label"]},
        {"name": "ScaleIntensityd", "keys": ["image"]}],
      "network": {"name": "UNet", "channels": [4, 8, 16], "strides": [2, 2], "num_res_units": 1, "norm": "batch"},
      "loss": {"name": "DiceLoss", "to_onehot_y": true, "softmax": true},
      "optimizer": {"name": "Adam", "lr": 0.01},
      "trainer": {"max_epochs": )" +
                       std::to_string(epochs) + R"(, "batch_size": 2, "seed": 3, "device": "cpu"}
    })");
}

/// The resume experiment: deterministic with 2 threads, a SmartCache of 3
/// of the 4 training cases (one replaced per epoch; 2 iterations per epoch)
/// with a loader worker, and an epoch-level StepLR halving the lr.
Json resumeExperiment(const std::string& dir, const std::string& run) {
    Json j = tinyExperiment(dir, run, 3);
    j["data"]["cache"] = {{"name", "SmartCacheDataset"}, {"cache_num", 3}, {"replace_rate", 0.34}};
    j["data"]["num_workers"] = 1;
    j["scheduler"] = {{"name", "StepLR"}, {"step_size", 1}, {"gamma", 0.5}, {"epoch_level", true}};
    j["trainer"]["deterministic"] = true;
    j["trainer"]["threads"] = 2;
    return j;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// Records a run's events; cancels `cancel` after global step `cancelAt`
/// or on the first message containing `cancelOn`.
struct Recorder : TrainingObserver {
    void onIteration(const IterationEvent& e) override {
        iterations.push_back(e);
        if (cancel && e.globalStep == cancelAt)
            cancel->cancel();
    }
    void onEpoch(const EpochEvent& e) override { epochs.push_back(e); }
    void onMessage(const std::string& m) override {
        messages.push_back(m);
        if (cancel && !cancelOn.empty() && contains(m, cancelOn))
            cancel->cancel();
    }
    bool said(const std::string& part) const {
        return std::any_of(messages.begin(), messages.end(),
                           [&](const std::string& m) { return contains(m, part); });
    }
    std::string allMessages() const {
        std::string out;
        for (const auto& m : messages)
            out += m + "\n";
        return out;
    }
    std::vector<IterationEvent> iterations;
    std::vector<EpochEvent> epochs;
    std::vector<std::string> messages;
    CancelToken* cancel = nullptr;
    long long cancelAt = -1;
    std::string cancelOn;
};

JobState train(const Json& experiment, Recorder& rec, CancelToken& cancel,
               const std::string& resumeFrom = {}) {
    Trainer trainer(ExperimentConfig::fromJson(experiment));
    trainer.addObserver(&rec);
    if (!resumeFrom.empty())
        trainer.resumeFrom(resumeFrom);
    return trainer.run(cancel);
}

std::string text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

/// The lines of a train.log without their time stamps.
std::vector<std::string> logLines(const std::string& file) {
    std::ifstream f(file);
    std::vector<std::string> out;
    for (std::string line; std::getline(f, line);)
        out.push_back(line.size() > 20 ? line.substr(20) : line); // "YYYY-mm-dd HH:MM:SS "
    return out;
}

/// The lines from the first one equal to `first` on (empty if none is).
std::vector<std::string> from(const std::vector<std::string>& lines, const std::string& first) {
    auto it = std::find(lines.begin(), lines.end(), first);
    return {it, lines.end()};
}

std::vector<std::string> eventFiles(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& f : fs::directory_iterator(dir))
        if (contains(f.path().filename().string(), "tfevents"))
            out.push_back(f.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

/// (step, value) of `tag` over all event files of `dir`, sorted by step.
std::vector<std::pair<int64_t, float>> scalarsIn(const std::string& dir, const std::string& tag) {
    std::vector<std::pair<int64_t, float>> out;
    for (const auto& f : eventFiles(dir)) {
        const auto s = tb::scalars(tb::readEvents(f), tag);
        out.insert(out.end(), s.begin(), s.end());
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

/// The model part of a training checkpoint, loaded into a fresh network.
StateDict modelOf(const std::string& file) {
    const Json exp = TrainingCheckpoint::readHeader(file).experiment;
    NetworkPtr net = networkRegistry().create(exp.at("network"), "network");
    TrainingCheckpoint c;
    addModel(c, *net);
    TrainingCheckpoint::LoadOptions o;
    o.parts = {"model"};
    c.load(file, o);
    return moduleStateDict(*net);
}

bool sameWeights(const StateDict& a, const StateDict& b, std::string* why) {
    if (a.size() != b.size()) {
        *why = "different key counts";
        return false;
    }
    for (const auto& kv : a)
        if (!b.count(kv.first) || !torch::equal(kv.second, b.at(kv.first))) {
            *why = "differs: " + kv.first;
            return false;
        }
    return true;
}

bool sameEpoch(const EpochEvent& a, const EpochEvent& b, std::string* why) {
    const bool same = a.epoch == b.epoch && a.meanLoss == b.meanLoss && a.lr == b.lr &&
                      a.valMeanDice == b.valMeanDice && a.bestValMeanDice == b.bestValMeanDice &&
                      a.bestEpoch == b.bestEpoch;
    if (!same)
        *why = QString("epoch %1 vs %2: mean loss %3 vs %4, lr %5 vs %6, val %7 vs %8")
                   .arg(a.epoch)
                   .arg(b.epoch)
                   .arg(a.meanLoss, 0, 'g', 17)
                   .arg(b.meanLoss, 0, 'g', 17)
                   .arg(a.lr)
                   .arg(b.lr)
                   .arg(a.valMeanDice, 0, 'g', 17)
                   .arg(b.valMeanDice, 0, 'g', 17)
                   .toStdString();
    return same;
}

} // namespace

class TestWorkflowsTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(root_.isValid());
        dir_ = root_.path().toStdString();
        CancelToken never;
        QCOMPARE(train(resumeExperiment(dir_, "full"), full_, never), JobState::Completed);
        QCOMPARE(full_.epochs.size(), size_t(3));
        QCOMPARE(full_.iterations.size(), size_t(6)); // 3 cached cases, batch 2
    }

    void handlersSectionRoundTrips() {
        Json j = tinyExperiment("/tmp/x", "run", 1);
        QVERIFY(!ExperimentConfig::fromJson(j).toJson().contains("handlers")); // absent: defaults
        j["handlers"] = Json::parse(R"({
            "early_stop": {"patience": 3, "min_delta": 0.01, "monitor": "loss"},
            "tensorboard": {"enabled": true, "log_dir": "tb", "iteration_log": false, "epoch_log": 2,
                            "tag_name": "train_loss"},
            "validation": {"exec_at_start": true, "exec_at_end": false},
            "stats": {"iteration_log": false}})");
        const ExperimentConfig c = ExperimentConfig::fromJson(j, "exp.json");
        QCOMPARE(c.toJson()["handlers"], j["handlers"]);
        QCOMPARE(ExperimentConfig::fromJson(c.toJson()).toJson(), c.toJson());
        QCOMPARE(c.handler("early_stop").at("patience").get<int>(), 3);
        QVERIFY(c.handler("nothing").is_null());
        // the sections read into the handlers' options
        const auto es = EarlyStopHandlerOptions::fromJson(c.handler("early_stop"), "e");
        QCOMPARE(es.patience(), int64_t(3));
        QCOMPARE(es.monitor(), std::string("loss"));
        const auto t = TensorBoardHandlerOptions::fromJson(c.handler("tensorboard"), "/runs/a",
                                                           "handlers.tensorboard");
        QVERIFY(t.has_value());
        QCOMPARE(t->log_dir(), std::string("/runs/a/tb"));
        QCOMPARE(t->iteration_log(), int64_t(0)); // false
        QCOMPARE(t->epoch_log(), int64_t(2));
        QCOMPARE(t->tag_name(), std::string("train_loss"));
        QVERIFY(!TensorBoardHandlerOptions::fromJson({{"enabled", false}}, "/r", "t").has_value());
        const auto d = TensorBoardHandlerOptions::fromJson(nullptr, "/r", "t");
        QCOMPARE(d->log_dir(), std::string("/r"));
        QCOMPARE(d->iteration_log(), int64_t(1));
        QCOMPARE(d->tag_name(), std::string("Loss")); // MONAI's default tag
        // the schemas an editor renders, with the defaults a run uses
        QCOMPARE(handlerSections(),
                 (std::vector<std::string>{"early_stop", "tensorboard", "validation", "stats"}));
        QCOMPARE(defaultsOf(handlerParams("validation")),
                 Json({{"exec_at_start", false}, {"exec_at_end", true}}));
        QCOMPARE(defaultsOf(handlerParams("tensorboard")).at("tag_name"), Json("Loss"));
        QCOMPARE(defaultsOf(handlerParams("early_stop")).at("patience"), Json(5));
    }

    void handlersErrorsNameTheField_data() {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("field");
        QTest::newRow("typo in early_stop") << "/handlers/early_stop"
                                            << R"({"patiance": 3})"
                                            << "handlers.early_stop.patiance";
        QTest::newRow("patience 0") << "/handlers/early_stop"
                                    << R"({"patience": 0})"
                                    << "handlers.early_stop.patience";
        QTest::newRow("monitor") << "/handlers/early_stop"
                                 << R"({"monitor": "val"})"
                                 << "handlers.early_stop.monitor";
        QTest::newRow("unknown section") << "/handlers/tensorbord"
                                         << R"({"enabled": true})"
                                         << "handlers.tensorbord";
        QTest::newRow("tensorboard interval") << "/handlers/tensorboard"
                                              << R"({"iteration_log": -2})"
                                              << "handlers.tensorboard.iteration_log";
        QTest::newRow("tensorboard typo") << "/handlers/tensorboard"
                                          << R"({"enable": false})"
                                          << "handlers.tensorboard.enable";
        QTest::newRow("validation typo") << "/handlers/validation"
                                         << R"({"exec_at_strat": true})"
                                         << "handlers.validation.exec_at_strat";
        QTest::newRow("stats type") << "/handlers/stats"
                                    << R"({"iteration_log": "yes"})"
                                    << "handlers.stats.iteration_log";
        QTest::newRow("not an object") << "/handlers"
                                       << "[1]"
                                       << "handlers";
    }
    void handlersErrorsNameTheField() {
        QFETCH(QString, pointer);
        QFETCH(QString, value);
        QFETCH(QString, field);
        Json j = tinyExperiment("/tmp/x", "run", 1);
        j[Json::json_pointer(pointer.toStdString())] = Json::parse(value.toStdString());
        try {
            ExperimentConfig::fromJson(j, "exp.json");
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QCOMPARE(QString::fromStdString(e.field()), field);
            QCOMPARE(QString::fromStdString(e.file()), QString("exp.json"));
        }
    }

    void earlyStopEndsTheRun() {
        // Dice is in [0, 1]: with min_delta 1 no validation can improve on the
        // first, so patience 2 stops the run after epoch 3 of 6.
        Json j = tinyExperiment(dir_, "early", 6);
        j["handlers"] = {{"early_stop", {{"patience", 2}, {"min_delta", 1.0}}},
                         {"tensorboard", {{"enabled", false}}}};
        Recorder rec;
        CancelToken never;
        QCOMPARE(train(j, rec, never), JobState::Completed);
        QCOMPARE(rec.epochs.size(), size_t(3));
        QCOMPARE(rec.epochs.back().epoch, 3);
        QVERIFY2(rec.said("early stopping after epoch 3 of 6: no improvement of the key metric in "
                          "2 checks"),
                 rec.allMessages().c_str());
        const std::string run = dir_ + "/early";
        const CheckpointHeader h = TrainingCheckpoint::readHeader(run + "/checkpoint.pt");
        QCOMPARE(h.progress.at("epoch").get<int64_t>(), int64_t(3));
        QCOMPARE(h.progress.at("iteration").get<int64_t>(), int64_t(6));
        QVERIFY(eventFiles(run).empty()); // "enabled": false
        QVERIFY(fs::exists(run + "/prediction_val0.nii.gz"));
    }

    void earlyStopCountGoesOnAcrossAResume() {
        // As above, cancelled in epoch 3 after its first iteration (the
        // count is 1, from epoch 2's validation) and resumed: the restored
        // count reaches patience 2 at epoch 3's validation. Starting to count
        // afresh would stop only after epoch 5.
        Json j = tinyExperiment(dir_, "early-resume", 6);
        j["handlers"] = {{"early_stop", {{"patience", 2}, {"min_delta", 1.0}}},
                         {"tensorboard", {{"enabled", false}}}};
        Recorder first;
        CancelToken cancel;
        first.cancel = &cancel;
        first.cancelAt = 5;
        QCOMPARE(train(j, first, cancel), JobState::Cancelled);
        QCOMPARE(first.epochs.size(), size_t(2));
        Recorder second;
        CancelToken never;
        QCOMPARE(train(j, second, never, dir_ + "/early-resume/checkpoint.pt"),
                 JobState::Completed);
        QCOMPARE(second.epochs.size(), size_t(1));
        QCOMPARE(second.epochs.back().epoch, 3);
        QVERIFY2(second.said("early stopping after epoch 3 of 6"), second.allMessages().c_str());
    }

    void runWritesTensorBoardEvents() {
        const std::string run = dir_ + "/full";
        QCOMPARE(eventFiles(run).size(), size_t(1));
        // "Loss" per global iteration: the observers' losses as float32, and
        // train.log's 4-decimal values
        const auto loss = scalarsIn(run, "Loss");
        QCOMPARE(loss.size(), full_.iterations.size());
        std::vector<double> logged;
        const std::regex line(R"(Epoch: \d+/\d+, Iter: \d+/\d+ -- loss: ([0-9.]+))");
        for (const auto& l : logLines(run + "/train.log")) {
            std::smatch m;
            if (std::regex_match(l, m, line))
                logged.push_back(std::stod(m[1]));
        }
        QCOMPARE(logged.size(), loss.size());
        for (size_t i = 0; i < loss.size(); ++i) {
            QCOMPARE(loss[i].first, int64_t(i + 1));
            QVERIFY(loss[i].second == float(full_.iterations[i].loss));
            QVERIFY2(std::fabs(loss[i].second - logged[i]) <= 0.5e-4 + 1e-7,
                     qPrintable(QString("step %1: %2 vs train.log %3")
                                    .arg(i + 1)
                                    .arg(loss[i].second)
                                    .arg(logged[i])));
        }
        // per epoch: the mean loss, the lr after the epoch's step, the Dice
        const auto epochLoss = scalarsIn(run, "epoch_loss");
        const auto lr = scalarsIn(run, "lr");
        const auto dice = scalarsIn(run, "val_mean_dice");
        QCOMPARE(epochLoss.size(), size_t(3));
        QCOMPARE(lr.size(), size_t(3));
        QCOMPARE(dice.size(), size_t(3));
        for (size_t e = 0; e < 3; ++e) {
            const EpochEvent& want = full_.epochs[e];
            QCOMPARE(epochLoss[e].first, int64_t(e + 1));
            QVERIFY(epochLoss[e].second == float(want.meanLoss));
            const double mean =
                (full_.iterations[2 * e].loss + full_.iterations[2 * e + 1].loss) / 2;
            QVERIFY(std::fabs(want.meanLoss - mean) < 1e-15);
            QCOMPARE(lr[e].first, int64_t(e + 1));
            QCOMPARE(lr[e].second, float(0.01 * std::pow(0.5, double(e + 1))));
            QCOMPARE(dice[e].first, int64_t(e + 1));
            QVERIFY(dice[e].second == float(want.valMeanDice));
        }
    }

    void cancelInValidationRedoesTheEpochEnd() {
        // Cancelled as epoch 2's training ends: the evaluator sees the cancel
        // at its first poll, inside the epoch's validation (after the lr step).
        const std::string run = dir_ + "/cut";
        Recorder first;
        CancelToken cancel;
        first.cancel = &cancel;
        first.cancelAt = 4;
        QCOMPARE(train(resumeExperiment(dir_, "cut"), first, cancel), JobState::Cancelled);
        QCOMPARE(first.epochs.size(), size_t(1)); // epoch 2 never reported
        const CheckpointHeader h = TrainingCheckpoint::readHeader(run + "/checkpoint.pt");
        QCOMPARE(h.progress.at("epoch").get<int64_t>(), int64_t(2));
        QCOMPARE(h.progress.at("epoch_iteration").get<int64_t>(), int64_t(2));
        QVERIFY(!contains(text(run + "/metrics.csv"), "\n2,"));

        Recorder second;
        CancelToken never;
        QCOMPARE(train(resumeExperiment(dir_, "cut"), second, never, run + "/checkpoint.pt"),
                 JobState::Completed);
        QVERIFY2(second.said("the run redoes it before epoch 3"), second.allMessages().c_str());
        QVERIFY2(!second.said("saved by a run with"), second.allMessages().c_str());
        // epoch 2's end (validation, lr stepped once, the cache swapped once) then epoch 3
        QCOMPARE(second.epochs.size(), size_t(2));
        QCOMPARE(second.iterations.size(), size_t(2));
        std::string why;
        for (size_t e = 0; e < 2; ++e)
            QVERIFY2(sameEpoch(second.epochs[e], full_.epochs[e + 1], &why), why.c_str());
        QVERIFY2(sameWeights(modelOf(run + "/checkpoint.pt"), modelOf(dir_ + "/full/checkpoint.pt"),
                             &why),
                 why.c_str());
        QCOMPARE(TrainingCheckpoint::readHeader(run + "/checkpoint.pt").progress,
                 TrainingCheckpoint::readHeader(dir_ + "/full/checkpoint.pt").progress);
        QVERIFY2(sameWeights(readStateDict(run + "/best_model_state.pt"),
                             readStateDict(dir_ + "/full/best_model_state.pt"), &why),
                 why.c_str());
        // the files: every validation once, as in the uninterrupted run
        QCOMPARE(text(run + "/metrics.csv"), text(dir_ + "/full/metrics.csv"));
        QCOMPARE(text(run + "/val_cases_epoch2.csv"), text(dir_ + "/full/val_cases_epoch2.csv"));
        const auto fullLog = logLines(dir_ + "/full/train.log");
        const auto cutLog = logLines(run + "/train.log");
        const std::string restart = "trainer started: epoch 2 of 3, resuming after iteration 2";
        const auto resumed = from(cutLog, restart);
        QVERIFY2(!resumed.empty(), restart.c_str());
        QVERIFY2(resumed.at(1).rfind("Epoch[2] Metrics --", 0) == 0, resumed.at(1).c_str());
        const auto want = from(fullLog, resumed.at(1)); // the same values, from there on
        QCOMPARE(std::vector<std::string>(resumed.begin() + 1, resumed.end()), want);
        // TensorBoard: a second event file continues the curves; nothing twice
        QCOMPARE(eventFiles(run).size(), size_t(2));
        for (const char* tag : {"Loss", "epoch_loss", "lr", "val_mean_dice"}) {
            const auto got = scalarsIn(run, tag), ref = scalarsIn(dir_ + "/full", tag);
            QCOMPARE(got.size(), ref.size());
            for (size_t i = 0; i < got.size(); ++i) {
                QCOMPARE(got[i].first, ref[i].first);
                QVERIFY2(got[i].second == ref[i].second,
                         qPrintable(QString("%1 step %2").arg(tag).arg(got[i].first)));
            }
        }
    }

    void threadCountChangeIsWarned() {
        // Cancelled in epoch 2 after its first iteration; resumed with one
        // thread instead of two, deterministic: a warning naming both.
        const std::string run = dir_ + "/mid";
        Recorder first;
        CancelToken cancel;
        first.cancel = &cancel;
        first.cancelAt = 3;
        QCOMPARE(train(resumeExperiment(dir_, "mid"), first, cancel), JobState::Cancelled);
        fs::copy(run, dir_ + "/mid1", fs::copy_options::recursive);
        Json j = resumeExperiment(dir_, "mid1");
        j["trainer"]["threads"] = 1;
        Recorder other;
        CancelToken stop;
        other.cancel = &stop;
        other.cancelOn = "saved by a run with"; // enough seen: stop before training
        QCOMPARE(train(j, other, stop, dir_ + "/mid1/checkpoint.pt"), JobState::Cancelled);
        QVERIFY2(other.said("warning: the checkpoint was saved by a run with 2 intra-op threads, "
                            "this run has 1: in deterministic mode the results may not be bitwise "
                            "equal"),
                 other.allMessages().c_str());
        QVERIFY(other.iterations.empty());
    }

    void epochMeanLossIsExactAfterAMidEpochResume() {
        // The checkpoint of threadCountChangeIsWarned's first run: epoch 2,
        // iteration 1 of 2. The resumed run's epoch-2 mean covers both
        // iterations, summed as the uninterrupted run did: bitwise equal.
        const std::string run = dir_ + "/mid";
        QVERIFY(fs::exists(run + "/checkpoint.pt"));
        QCOMPARE(TrainingCheckpoint::readHeader(run + "/checkpoint.pt")
                     .progress.at("epoch_iteration")
                     .get<int64_t>(),
                 int64_t(1));
        Recorder rec;
        CancelToken never;
        QCOMPARE(train(resumeExperiment(dir_, "mid"), rec, never, run + "/checkpoint.pt"),
                 JobState::Completed);
        QVERIFY2(!rec.said("saved by a run with"), rec.allMessages().c_str());
        QCOMPARE(rec.iterations.size(), size_t(3));
        QVERIFY(rec.iterations[0].loss == full_.iterations[3].loss);
        QCOMPARE(rec.epochs.size(), size_t(2));
        std::string why;
        for (size_t e = 0; e < 2; ++e)
            QVERIFY2(sameEpoch(rec.epochs[e], full_.epochs[e + 1], &why), why.c_str());
        // not the mean of the resumed iteration alone
        QVERIFY(rec.epochs[0].meanLoss != full_.iterations[3].loss);
        QVERIFY2(sameWeights(modelOf(run + "/checkpoint.pt"), modelOf(dir_ + "/full/checkpoint.pt"),
                             &why),
                 why.c_str());
        // TensorBoard's epoch_loss of epoch 2 is the exact one too
        const auto epochLoss = scalarsIn(run, "epoch_loss");
        QCOMPARE(epochLoss.size(), size_t(3));
        QVERIFY(epochLoss[1].second == float(full_.epochs[1].meanLoss));
    }

private:
    QTemporaryDir root_;
    std::string dir_;
    Recorder full_;
};

QTEST_GUILESS_MAIN(TestWorkflowsTrainer)
#include "test_workflows_trainer.moc"
