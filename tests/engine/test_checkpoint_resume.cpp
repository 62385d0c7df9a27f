/// Exact resume: TrainingCheckpoint round trips (every part, bitwise),
/// CheckpointSaver file names and rotations (keep-last-K, best-K, final,
/// latest), CheckpointLoader continuing a toy training workflow bitwise from
/// any of its checkpoints (mid-epoch, epoch boundary, after a cancel), a
/// failed write (file-size limit) leaving the previous checkpoint
/// byte-identical, and mismatches named in the errors. The real kill -9 of
/// `medulla train` is test_kill_resume.

#include "DataTestSupport.h"
#include "TestSupport.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/resource.h>

#include "engine/core/CancelToken.h"
#include "engine/core/Error.h"
#include "engine/data/DataLoader.h"
#include "engine/data/SmartCacheDataset.h"
#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"
#include "engine/optim/LrScheduler.h"
#include "engine/optim/OptimizerFactory.h"
#include "engine/training/Checkpoint.h"
#include "engine/training/CheckpointParts.h"
#include "engine/training/GradScaler.h"
#include "engine/training/TrainingCheckpoint.h"
#include "engine/training/Workflow.h"
#include "engine/training/handlers/CheckpointLoader.h"
#include "engine/training/handlers/CheckpointSaver.h"

namespace fs = std::filesystem;
using namespace medulla;
using namespace medulla::test;

namespace {

const char* kChain = R"([
  {"name": "CenterSpatialCropd", "keys": ["image", "label"], "roi_size": [8, 6, 4]},
  {"name": "RandFlipd", "keys": ["image", "label"], "prob": 0.5, "spatial_axis": [0, 1]},
  {"name": "RandGaussianNoised", "keys": ["image"], "prob": 1.0, "std": 0.2}
])";

std::string readBytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

bool sameModel(const torch::nn::Module& a, const torch::nn::Module& b, std::string* why) {
    const StateDict x = moduleStateDict(a), y = moduleStateDict(b);
    if (x.size() != y.size()) {
        *why = "different key counts";
        return false;
    }
    for (const auto& kv : x)
        if (!y.count(kv.first) || !torch::equal(kv.second, y.at(kv.first))) {
            *why = "differs: " + kv.first;
            return false;
        }
    return true;
}

/// Adam's per-parameter state, bitwise.
bool sameAdamState(torch::optim::Optimizer& a, torch::optim::Optimizer& b, std::string* why) {
    const auto& pa = a.param_groups().at(0).params();
    const auto& pb = b.param_groups().at(0).params();
    for (size_t i = 0; i < pa.size(); ++i) {
        auto ia = a.state().find(c10::guts::to_string(pa[i].unsafeGetTensorImpl()));
        auto ib = b.state().find(c10::guts::to_string(pb[i].unsafeGetTensorImpl()));
        if ((ia == a.state().end()) != (ib == b.state().end())) {
            *why = "state present in one only, parameter " + std::to_string(i);
            return false;
        }
        if (ia == a.state().end())
            continue;
        auto& sa = static_cast<torch::optim::AdamParamState&>(*ia->second);
        auto& sb = static_cast<torch::optim::AdamParamState&>(*ib->second);
        if (sa.step() != sb.step() || !torch::equal(sa.exp_avg(), sb.exp_avg()) ||
            !torch::equal(sa.exp_avg_sq(), sb.exp_avg_sq())) {
            *why = "Adam state of parameter " + std::to_string(i);
            return false;
        }
    }
    return true;
}

/// A workflow whose iterations do nothing but count (for file rotation).
class Counter : public Workflow {
public:
    explicit Counter(int64_t perEpoch, int64_t epochs) : perEpoch_(perEpoch) {
        state().maxEpochs = epochs;
    }
    std::string name() const override { return "counter"; }

protected:
    int64_t epochLength() override { return perEpoch_; }
    void startEpoch(int64_t, int64_t) override {}
    void iterate(const CancelToken&) override { state().output["loss"] = 1.0; }

private:
    int64_t perEpoch_;
};

/// A small but complete training run: SmartCache (4 of 6 items, one
/// replaced per epoch, background thread) -> DataLoader (shuffled, random
/// transforms, a worker) -> MLP with batch norm and dropout -> Adam, a
/// per-iteration StepLR and a growing gradient scaler. 2 iterations per
/// epoch. Everything random is either keyed (data) or drawn from LibTorch's
/// default generator (initialisation, dropout).
struct ToyRun {
    explicit ToyRun(uint64_t initSeed)
        : dataset(numberedItems(6), chain(kChain, 3),
                  SmartCacheDatasetOptions().cache_num(4).replace_rate(0.25).shuffle(false), quiet),
          loader(dataset, DataLoaderOptions().batch_size(2).shuffle(true).seed(11).num_workers(1)) {
        torch::manual_seed(initSeed);
        net = torch::nn::Sequential(torch::nn::Linear(192, 16), torch::nn::BatchNorm1d(16),
                                    torch::nn::ReLU(), torch::nn::Dropout(0.3),
                                    torch::nn::Linear(16, 1));
        optimizer = std::make_unique<torch::optim::Adam>(net->parameters(),
                                                         torch::optim::AdamOptions(0.01));
        scheduler = makeScheduler(
            {{"name", "StepLR"}, {"step_size", 3}, {"gamma", 0.5}, {"epoch_level", false}},
            *optimizer);
        scaler = std::make_unique<GradScaler>(
            GradScalerOptions().init_scale(1024).growth_interval(2).growth_factor(2));
        dataset.start();
        checkpoint = std::make_shared<TrainingCheckpoint>();
    }

    NullProgress quiet;
    SmartCacheDataset dataset;
    DataLoader loader;
    torch::nn::Sequential net{nullptr};
    std::unique_ptr<torch::optim::Adam> optimizer;
    std::unique_ptr<LrScheduler> scheduler;
    std::unique_ptr<GradScaler> scaler;
    std::shared_ptr<TrainingCheckpoint> checkpoint;
};

class ToyTrainer : public Workflow {
public:
    ToyTrainer(ToyRun& run, int64_t epochs) : run_(run) { state().maxEpochs = epochs; }
    std::string name() const override { return "toy"; }
    std::vector<double> losses;

protected:
    int64_t epochLength() override { return run_.loader.batchesPerEpoch(); }
    void startEpoch(int64_t epoch, int64_t skip) override {
        run_.loader.startEpoch(epoch - 1, skip);
    }
    void iterate(const CancelToken&) override {
        Batch batch = *run_.loader.next();
        at::Tensor x = batch["image"].flatten(1);
        at::Tensor y = batch["image"].mean({1, 2, 3, 4}).unsqueeze(1);
        run_.net->train();
        run_.optimizer->zero_grad();
        at::Tensor loss = torch::mse_loss(run_.net->forward(x), y);
        run_.scaler->scale(loss).backward();
        run_.scaler->step(*run_.optimizer);
        run_.scaler->update();
        run_.scheduler->step();
        losses.push_back(loss.item<double>());
        state().output["loss"] = losses.back();
    }

private:
    ToyRun& run_;
};

/// Registers every part of a toy run on its checkpoint.
void registerParts(ToyRun& run, Workflow& workflow) {
    addModel(*run.checkpoint, *run.net.ptr());
    addOptimizer(*run.checkpoint, *run.optimizer);
    addScheduler(*run.checkpoint, *run.scheduler);
    addStateful(*run.checkpoint, "scaler", *run.scaler);
    addWorkflowProgress(*run.checkpoint, workflow);
    addRandomGenerators(*run.checkpoint);
    addSmartCache(*run.checkpoint, run.dataset, workflow);
    run.checkpoint->setExperiment({{"name", "toy"}});
}

template <class E, class F> std::string errorOf(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::vector<std::string> filesIn(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& f : fs::directory_iterator(dir))
        out.push_back(f.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

class TestCheckpointResume : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripRestoresEveryPart() {
        QTemporaryDir dir;
        const std::string file = dir.filePath("state.pt").toStdString();
        const Json unet = {{"name", "UNet"},
                           {"channels", {4, 8}},
                           {"strides", {2}},
                           {"num_res_units", 1},
                           {"norm", "batch"}};
        torch::manual_seed(1);
        NetworkPtr a = networkRegistry().create(unet, "network");
        auto optA = makeOptimizer({{"name", "Adam"}, {"lr", 0.01}}, a->parameters());
        auto schedA =
            makeScheduler({{"name", "PolynomialLR"}, {"total_iters", 10}, {"power", 0.9}}, *optA);
        GradScaler scalerA(GradScalerOptions().init_scale(256).growth_interval(1));
        Counter flowA(3, 5);
        for (int i = 0; i < 3; ++i) { // real steps: optimizer state, BN buffers, scale growth
            optA->zero_grad();
            at::Tensor loss = a->forward(torch::rand({2, 1, 16, 16, 16})).square().mean();
            scalerA.scale(loss).backward();
            scalerA.step(*optA);
            scalerA.update();
            schedA->step();
        }
        flowA.state().epoch = 2;
        flowA.state().epochLength = 3;
        flowA.state().epochIteration = 1;
        flowA.state().iteration = 4;
        flowA.state().keyMetricName = "val_mean_dice";
        flowA.state().bestMetric = 0.1 + 0.2; // not exactly representable in decimal
        flowA.state().bestMetricEpoch = 1;
        flowA.state().metrics["val_mean_dice"] = 1.0 / 3.0;
        TrainingCheckpoint ca;
        addModel(ca, *a);
        addOptimizer(ca, *optA);
        addScheduler(ca, *schedA);
        addStateful(ca, "scaler", scalerA);
        addWorkflowProgress(ca, flowA);
        addRandomGenerators(ca);
        ca.setExperiment({{"name", "round-trip"}});
        ca.save(file);
        const at::Tensor nextRandom = torch::rand({5}); // drawn after the save

        torch::manual_seed(2); // another initialisation, another generator state
        NetworkPtr b = networkRegistry().create(unet, "network");
        auto optB = makeOptimizer({{"name", "Adam"}, {"lr", 0.5}}, b->parameters());
        auto schedB =
            makeScheduler({{"name", "PolynomialLR"}, {"total_iters", 10}, {"power", 0.9}}, *optB);
        GradScaler scalerB;
        Counter flowB(3, 7);
        TrainingCheckpoint cb;
        addModel(cb, *b);
        addOptimizer(cb, *optB);
        addScheduler(cb, *schedB);
        addStateful(cb, "scaler", scalerB);
        addWorkflowProgress(cb, flowB);
        addRandomGenerators(cb);
        std::string why;
        QVERIFY(!sameModel(*a, *b, &why));
        QVERIFY(cb.load(file).empty());

        QVERIFY2(sameModel(*a, *b, &why), why.c_str()); // parameters and BN buffers, bitwise
        QVERIFY2(sameAdamState(*optA, *optB, &why), why.c_str());
        QCOMPARE(optB->param_groups()[0].options().get_lr(),
                 optA->param_groups()[0].options().get_lr());
        QCOMPARE(schedB->lastEpoch(), int64_t(3));
        QCOMPARE(schedB->currentLrs(), schedA->currentLrs());
        QCOMPARE(scalerB.getScale(), scalerA.getScale());
        QCOMPARE(scalerB.getScale(), 2048.0); // 256 grown three times
        QCOMPARE(scalerB.state(), scalerA.state());
        QVERIFY(torch::equal(torch::rand({5}), nextRandom)); // the generator continues
        const WorkflowState& s = flowB.state();
        QCOMPARE(s.epoch, int64_t(2));
        QCOMPARE(s.epochLength, int64_t(3));
        QCOMPARE(s.epochIteration, int64_t(1));
        QCOMPARE(s.iteration, int64_t(4));
        QCOMPARE(s.maxEpochs, int64_t(7)); // the run's own
        QCOMPARE(s.keyMetricName, std::string("val_mean_dice"));
        QVERIFY(s.bestMetric == 0.1 + 0.2); // bitwise through JSON
        QVERIFY(s.metrics.at("val_mean_dice") == 1.0 / 3.0);
        QCOMPARE(s.bestMetricEpoch, int64_t(1));

        const CheckpointHeader h = TrainingCheckpoint::readHeader(file);
        QCOMPARE(h.version, TrainingCheckpoint::kFormatVersion);
        QCOMPARE(h.experiment, Json({{"name", "round-trip"}}));
        QCOMPARE(h.parts, (std::vector<std::string>{"model", "optimizer", "scheduler", "scaler",
                                                    "progress", "rng"}));
        QCOMPARE(h.progress.at("iteration").get<int64_t>(), int64_t(4));

        // The legacy reader still gets the model, the completed epochs and the best metric.
        torch::manual_seed(3);
        NetworkPtr c = networkRegistry().create(unet, "network");
        const CheckpointInfo info = loadCheckpoint(file, *c);
        QVERIFY2(sameModel(*a, *c, &why), why.c_str());
        QCOMPARE(info.epoch, int64_t(1)); // epoch 2 is unfinished
        QVERIFY(info.bestMetric == 0.1 + 0.2);
    }

    void toyWorkflowResumesExactly_data() {
        QTest::addColumn<QString>("from");
        QTest::addColumn<bool>("saverFirst");
        QTest::newRow("iteration 1 (mid epoch 1)") << "checkpoint_iteration=1.pt" << false;
        QTest::newRow("iteration 2 (end of epoch 1)") << "checkpoint_iteration=2.pt" << false;
        QTest::newRow("iteration 5 (mid epoch 3)") << "checkpoint_iteration=5.pt" << false;
        QTest::newRow("epoch 2 file") << "checkpoint_epoch=2.pt" << false;
        QTest::newRow("epoch 2, saved before the cache update") << "checkpoint_epoch=2.pt" << true;
        QTest::newRow("cancelled after iteration 3") << "cancel:3" << false;
    }

    void toyWorkflowResumesExactly() {
        QFETCH(QString, from);
        QFETCH(bool, saverFirst);
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString();
        const int64_t epochs = 4;
        // The reference: an uninterrupted run that saves after every iteration and epoch.
        ToyRun ref(1);
        ToyTrainer full(ref, epochs);
        registerParts(ref, full);
        auto attachCache = [](ToyRun& r, Workflow& w) {
            w.on(Event::EpochCompleted, [&r](Workflow&) { r.dataset.updateCache(); });
        };
        auto saverOn = [&](ToyRun& r, Workflow& w, bool epochLevel) {
            w.addHandler(std::make_shared<CheckpointSaver>(
                r.checkpoint,
                CheckpointSaverOptions(out).save_interval(1).epoch_level(epochLevel).n_saved(0)));
        };
        if (saverFirst) {
            saverOn(ref, full, true);
            attachCache(ref, full);
        } else {
            attachCache(ref, full);
            saverOn(ref, full, true);
        }
        CancelToken never;
        // iteration-level files from a second saver of the same checkpoint
        full.addHandler(
            std::make_shared<CheckpointSaver>(ref.checkpoint, CheckpointSaverOptions(out)
                                                                  .save_interval(1)
                                                                  .epoch_level(false)
                                                                  .n_saved(0)
                                                                  .latest_filename("")));
        QCOMPARE(full.run(never), JobState::Completed);
        QCOMPARE(full.losses.size(), size_t(8));

        std::string file = (fs::path(out) / from.toStdString()).string();
        int64_t done = 0;
        if (from.startsWith("cancel:")) {
            // An interrupted run: cancelled from a callback after N iterations.
            const int64_t n = from.mid(7).toLongLong();
            ToyRun part(1);
            ToyTrainer first(part, epochs);
            registerParts(part, first);
            attachCache(part, first);
            const std::string cdir = out + "/cancelled";
            first.addHandler(
                std::make_shared<CheckpointSaver>(part.checkpoint, CheckpointSaverOptions(cdir)));
            CancelToken cancel;
            first.on(Event::IterationCompleted, [&](Workflow& w) {
                if (w.state().iteration == n)
                    cancel.cancel();
            });
            QCOMPARE(first.run(cancel), JobState::Cancelled);
            QCOMPARE(filesIn(cdir), std::vector<std::string>{"checkpoint.pt"});
            file = cdir + "/checkpoint.pt";
            for (int64_t i = 0; i < n; ++i)
                QVERIFY(first.losses[size_t(i)] == full.losses[size_t(i)]);
        }
        done = TrainingCheckpoint::readHeader(file).progress.at("iteration").get<int64_t>();
        QVERIFY(done > 0 && done < 8);

        // A fresh process-like start: other initial weights, other generator state.
        ToyRun res(99);
        ToyTrainer resumed(res, epochs);
        registerParts(res, resumed);
        auto loader =
            std::make_shared<CheckpointLoader>(res.checkpoint, CheckpointLoaderOptions(file));
        resumed.addHandler(loader);
        attachCache(res, resumed);
        QCOMPARE(resumed.run(never), JobState::Completed);
        QVERIFY(loader->loaded());
        QCOMPARE(int64_t(resumed.losses.size()), 8 - done);
        for (size_t i = 0; i < resumed.losses.size(); ++i)
            QVERIFY2(resumed.losses[i] == full.losses[size_t(done) + i],
                     qPrintable(QString("iteration %1: %2 vs %3")
                                    .arg(done + int64_t(i) + 1)
                                    .arg(resumed.losses[i], 0, 'g', 17)
                                    .arg(full.losses[size_t(done) + i], 0, 'g', 17)));
        std::string why;
        QVERIFY2(sameModel(*ref.net.ptr(), *res.net.ptr(), &why), why.c_str());
        QVERIFY2(sameAdamState(*ref.optimizer, *res.optimizer, &why), why.c_str());
        QCOMPARE(res.scaler->state(), ref.scaler->state());
        QCOMPARE(res.dataset.position(), ref.dataset.position());
        QCOMPARE(resumed.state().iteration, int64_t(8));
    }

    void keepLastKAndLatest() {
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString();
        auto ckpt = std::make_shared<TrainingCheckpoint>();
        Counter flow(2, 3);
        addWorkflowProgress(*ckpt, flow);
        auto saver = std::make_shared<CheckpointSaver>(
            ckpt, CheckpointSaverOptions(out).save_interval(2).epoch_level(false).n_saved(2));
        flow.addHandler(saver);
        CancelToken never;
        QCOMPARE(flow.run(never), JobState::Completed);
        // iterations 2, 4, 6 saved; the last two kept; checkpoint.pt is the newest
        QCOMPARE(filesIn(out),
                 (std::vector<std::string>{"checkpoint.pt", "checkpoint_iteration=4.pt",
                                           "checkpoint_iteration=6.pt"}));
        QCOMPARE(readBytes(out + "/checkpoint.pt"), readBytes(out + "/checkpoint_iteration=6.pt"));
        QCOMPARE(saver->intervalFiles(),
                 (std::vector<std::string>{out + "/checkpoint_iteration=4.pt",
                                           out + "/checkpoint_iteration=6.pt"}));
        QCOMPARE(saver->lastCheckpoint(), out + "/checkpoint_iteration=6.pt");

        // Epoch level with a prefix, keep 1, and a final file.
        QTemporaryDir dir2;
        const std::string out2 = dir2.path().toStdString();
        auto ckpt2 = std::make_shared<TrainingCheckpoint>();
        Counter flow2(2, 3);
        addWorkflowProgress(*ckpt2, flow2);
        flow2.addHandler(std::make_shared<CheckpointSaver>(
            ckpt2,
            CheckpointSaverOptions(out2).file_prefix("net").save_interval(1).n_saved(1).save_final(
                true)));
        QCOMPARE(flow2.run(never), JobState::Completed);
        QCOMPARE(filesIn(out2),
                 (std::vector<std::string>{"checkpoint.pt", "net_checkpoint_epoch=3.pt",
                                           "net_checkpoint_final_iteration=6.pt"}));
    }

    void bestKByKeyMetric() {
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString();
        const std::vector<double> scores = {0.5, 0.7, 0.6, 0.9, 0.65, 0.9};
        auto runWith = [&](CheckpointSaverOptions o, std::shared_ptr<TrainingCheckpoint> ckpt,
                           Counter& flow, const std::string& loadFrom = {}) {
            addWorkflowProgress(*ckpt, flow);
            if (!loadFrom.empty())
                flow.addHandler(
                    std::make_shared<CheckpointLoader>(ckpt, CheckpointLoaderOptions(loadFrom)));
            flow.state().keyMetricName = "val_mean_dice";
            flow.on(Event::EpochCompleted, [&](Workflow& w) { // the "validation"
                w.state().metrics["val_mean_dice"] = scores[size_t(w.state().epoch - 1)];
            });
            auto saver = std::make_shared<CheckpointSaver>(ckpt, o);
            flow.addHandler(saver);
            CancelToken never;
            flow.run(never);
            return saver;
        };
        {
            Counter flow(1, 6);
            auto saver = runWith(CheckpointSaverOptions(out)
                                     .save_key_metric(true)
                                     .key_metric_n_saved(2)
                                     .latest_filename(""),
                                 std::make_shared<TrainingCheckpoint>(), flow);
            // 0.9 twice: the first one stays (no greater_or_equal); 0.7 is second best
            QCOMPARE(filesIn(out), (std::vector<std::string>{"checkpoint_key_metric=0.7000.pt",
                                                             "checkpoint_key_metric=0.9000.pt"}));
            QCOMPARE(saver->keyMetricFiles(),
                     (std::vector<std::string>{out + "/checkpoint_key_metric=0.7000.pt",
                                               out + "/checkpoint_key_metric=0.9000.pt"}));
            const CheckpointHeader h =
                TrainingCheckpoint::readHeader(out + "/checkpoint_key_metric=0.9000.pt");
            QCOMPARE(h.progress.at("epoch").get<int64_t>(), int64_t(4));
        }
        {
            // Smaller is better; a fixed name keeps the best only.
            QTemporaryDir d;
            Counter flow(1, 6);
            runWith(CheckpointSaverOptions(d.path().toStdString())
                        .save_key_metric(true)
                        .key_metric_negative_sign(true)
                        .latest_filename(""),
                    std::make_shared<TrainingCheckpoint>(), flow);
            QCOMPARE(filesIn(d.path().toStdString()),
                     std::vector<std::string>{"checkpoint_key_metric=-0.5000.pt"});
            Counter flow2(1, 6);
            runWith(CheckpointSaverOptions(d.path().toStdString())
                        .save_key_metric(true)
                        .key_metric_filename("best_model.pt")
                        .key_metric_greater_or_equal(true)
                        .latest_filename(""),
                    std::make_shared<TrainingCheckpoint>(), flow2);
            QCOMPARE(TrainingCheckpoint::readHeader(d.filePath("best_model.pt").toStdString())
                         .progress.at("epoch")
                         .get<int64_t>(),
                     int64_t(6)); // the later 0.9 replaced the earlier one
        }
        {
            // A resumed run goes on rotating the files of the interrupted one.
            QTemporaryDir d;
            const std::string o = d.path().toStdString();
            auto opts = CheckpointSaverOptions(o)
                            .save_key_metric(true)
                            .key_metric_n_saved(2)
                            .save_interval(1)
                            .n_saved(2);
            Counter first(1, 3); // epochs 1-3: 0.5, 0.7, 0.6
            runWith(opts, std::make_shared<TrainingCheckpoint>(), first);
            QCOMPARE(filesIn(o), (std::vector<std::string>{"checkpoint.pt", "checkpoint_epoch=2.pt",
                                                           "checkpoint_epoch=3.pt",
                                                           "checkpoint_key_metric=0.6000.pt",
                                                           "checkpoint_key_metric=0.7000.pt"}));
            Counter second(1, 6); // resumed: epochs 4-6
            runWith(opts, std::make_shared<TrainingCheckpoint>(), second, o + "/checkpoint.pt");
            QCOMPARE(second.state().iteration, int64_t(6));
            QCOMPARE(filesIn(o), (std::vector<std::string>{"checkpoint.pt", "checkpoint_epoch=5.pt",
                                                           "checkpoint_epoch=6.pt",
                                                           "checkpoint_key_metric=0.7000.pt",
                                                           "checkpoint_key_metric=0.9000.pt"}));
        }
    }

    void failedWriteKeepsThePreviousCheckpoint() {
        // A full disk, simulated with a file-size limit (RLIMIT_FSIZE, works
        // without privileges, also as root): writes past it fail with EFBIG
        // (SIGXFSZ ignored) the way they fail with ENOSPC on a full disk.
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString();
        const std::string file = out + "/checkpoint.pt";
        torch::nn::Linear model(64, 64);
        Counter flow(1, 1);
        auto ckpt = std::make_shared<TrainingCheckpoint>();
        addModel(*ckpt, *model);
        addWorkflowProgress(*ckpt, flow);
        ckpt->save(file);
        const std::string before = readBytes(file);
        QVERIFY(before.size() > 16000);
        {
            torch::NoGradGuard g;
            model->weight.add_(1.0);
        }
        struct rlimit old {};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
        auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = old;
        small.rlim_cur = rlim_t(before.size() / 2);
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        std::string message;
        try {
            ckpt->save(file);
        } catch (const IoError& e) {
            message = e.what();
        }
        // the saver's rotation lists stay as they were when its write fails
        auto saver = std::make_shared<CheckpointSaver>(
            ckpt, CheckpointSaverOptions(out).save_interval(1).epoch_level(false));
        Counter flow2(1, 1);
        flow2.addHandler(saver);
        CancelToken never;
        const std::string saverError = errorOf<IoError>([&] { flow2.run(never); });
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, previousHandler);

        QVERIFY2(contains(message, file), message.c_str());
        QVERIFY2(contains(message, "File too large"), message.c_str());
        QVERIFY2(contains(message, "the previous checkpoint in this file is intact"),
                 message.c_str());
        QVERIFY(readBytes(file) == before); // byte-identical
        QVERIFY2(contains(saverError, out + "/checkpoint_iteration=1.pt"), saverError.c_str());
        QVERIFY(saver->intervalFiles().empty());
        QVERIFY(saver->lastCheckpoint().empty());
        QVERIFY(readBytes(file) == before);
        // no temporary file is left behind
        QCOMPARE(filesIn(out), std::vector<std::string>{"checkpoint.pt"});
        // and the next save, with room again, works
        ckpt->save(file);
        QVERIFY(readBytes(file) != before);
    }

    void mismatchesAreNamed() {
        QTemporaryDir dir;
        const std::string file = dir.filePath("c.pt").toStdString();
        torch::manual_seed(0);
        torch::nn::Sequential a(torch::nn::Linear(4, 8), torch::nn::Linear(8, 2));
        torch::optim::Adam adam(a->parameters(), torch::optim::AdamOptions(0.1));
        TrainingCheckpoint ca;
        addModel(ca, *a.ptr());
        addOptimizer(ca, adam);
        ca.save(file);

        // another network: every difference is named
        torch::nn::Sequential b(torch::nn::Linear(4, 6), torch::nn::Linear(6, 2),
                                torch::nn::Linear(2, 2));
        torch::optim::Adam adamB(b->parameters(), torch::optim::AdamOptions(0.1));
        TrainingCheckpoint cb;
        addModel(cb, *b.ptr());
        addOptimizer(cb, adamB);
        const std::string e = errorOf<ConfigError>([&] { cb.load(file); });
        QVERIFY2(contains(e, file + ": model: the network differs from the checkpoint's"),
                 e.c_str());
        QVERIFY2(contains(e, "missing in the checkpoint: 2.bias, 2.weight"), e.c_str());
        QVERIFY2(contains(e, "0.weight [8, 4] in the checkpoint, [6, 4] in this network"),
                 e.c_str());
        // non-strict: what matches is loaded, the rest reported
        TrainingCheckpoint::LoadOptions loose;
        loose.strict = false;
        const auto notes = cb.load(file, loose);
        QCOMPARE(notes.size(), size_t(2));
        QVERIFY2(contains(notes[0], "model: loaded 1 of 6 tensors"), notes[0].c_str());
        QVERIFY2(contains(notes[1], "optimizer: not loaded: parameter group 0: 4 parameters in the "
                                    "checkpoint, 6 in this run"),
                 notes[1].c_str());
        QVERIFY(
            torch::equal(b[1]->as<torch::nn::Linear>()->bias, a[1]->as<torch::nn::Linear>()->bias));

        // same network, another optimizer
        torch::nn::Sequential c(torch::nn::Linear(4, 8), torch::nn::Linear(8, 2));
        torch::optim::SGD sgd(c->parameters(), torch::optim::SGDOptions(0.1));
        TrainingCheckpoint cc;
        addModel(cc, *c.ptr());
        addOptimizer(cc, sgd);
        const std::string o = errorOf<ConfigError>([&] { cc.load(file); });
        QVERIFY2(contains(o, "optimizer: the checkpoint's optimizer is torch::optim::Adam, this "
                             "run's torch::optim::SGD"),
                 o.c_str());

        // a part the file lacks; a part this run lacks
        TrainingCheckpoint cd;
        addModel(cd, *c.ptr());
        addRandomGenerators(cd);
        const std::string p = errorOf<ConfigError>([&] { cd.load(file); });
        QVERIFY2(contains(p, file + ": rng: not in the checkpoint, which holds model, optimizer"),
                 p.c_str());
        TrainingCheckpoint::LoadOptions only;
        only.parts = {"model"};
        QVERIFY(cd.load(file, only).empty()); // loading a subset is fine
        only.parts = {"scheduler"};
        QVERIFY(contains(errorOf<ConfigError>([&] { cd.load(file, only); }),
                         "this run has no checkpoint part \"scheduler\""));

        // not a training checkpoint, a missing file, a truncated file
        const std::string weights = dir.filePath("w.pt").toStdString();
        writeStateDict(moduleStateDict(*a.ptr()), weights);
        QVERIFY(
            contains(errorOf<IoError>([&] { cd.load(weights); }), "not a readable checkpoint") ||
            contains(errorOf<IoError>([&] { cd.load(weights); }), "not a Medulla training"));
        QVERIFY(contains(errorOf<IoError>([&] { cd.load(file + ".nope"); }),
                         "the checkpoint does not exist"));
        const std::string cut = dir.filePath("cut.pt").toStdString();
        {
            const std::string bytes = readBytes(file);
            std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
        }
        QVERIFY(contains(errorOf<IoError>([&] { cd.load(cut); }), cut + ": not a readable"));
        // a bad or repeated part name
        QVERIFY(contains(errorOf<ConfigError>([&] { addRandomGenerators(cd); }), "already"));
        QVERIFY(
            contains(errorOf<ConfigError>([&] { addRandomGenerators(cd, "epoch"); }), "reserved"));
    }

    void cancelledErrorSavesTheResumableState() {
        // Cancelled while validating (a CancelledError out of EPOCH_COMPLETED,
        // before the saver's turn): the work is kept in checkpoint.pt, and the
        // resumed run redoes that epoch's end (EPOCH_COMPLETED once more,
        // after every STARTED callback) before the next epoch. Cancelled
        // again during the redo, the mark stays for the next resume.
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString();
        Counter a(2, 4);
        auto ca = std::make_shared<TrainingCheckpoint>();
        addWorkflowProgress(*ca, a);
        a.on(Event::EpochCompleted, [](Workflow& w) {
            if (w.state().epoch == 2)
                throw CancelledError(); // the "validation" saw the cancel token
        });
        a.addHandler(std::make_shared<CheckpointSaver>(ca, CheckpointSaverOptions(out)));
        CancelToken never;
        QCOMPARE(a.run(never), JobState::Cancelled);
        QCOMPARE(filesIn(out), std::vector<std::string>{"checkpoint.pt"});
        for (bool cancelAgain : {true, false}) {
            Counter b(2, 4);
            auto cb = std::make_shared<TrainingCheckpoint>();
            addWorkflowProgress(*cb, b);
            auto saver = std::make_shared<CheckpointSaver>(cb, CheckpointSaverOptions(out));
            auto loader = std::make_shared<CheckpointLoader>(
                cb, CheckpointLoaderOptions(out + "/checkpoint.pt"));
            std::vector<std::string> log;
            loader->setLogger([&](const std::string& m) { log.push_back(m); });
            // (epoch, redoing) of every EPOCH_COMPLETED, and what STARTED saw
            std::vector<std::pair<int64_t, bool>> ends;
            std::vector<std::string> order;
            b.on(Event::EpochCompleted, [&](Workflow& w) {
                ends.emplace_back(w.state().epoch, saver->redoingEpochEnd());
                order.push_back("end " + std::to_string(w.state().epoch));
                if (cancelAgain && w.state().epoch == 2)
                    throw CancelledError();
            });
            b.addHandler(loader);
            b.addHandler(saver);
            b.on(Event::Started, [&](Workflow&) { order.push_back("started"); });
            if (cancelAgain) {
                QCOMPARE(b.run(never), JobState::Cancelled);
                QCOMPARE(ends, (std::vector<std::pair<int64_t, bool>>{{2, true}}));
                const CheckpointHeader h = TrainingCheckpoint::readHeader(out + "/checkpoint.pt");
                QCOMPARE(h.progress.at("iteration").get<int64_t>(), int64_t(4));
                continue;
            }
            QCOMPARE(b.run(never), JobState::Completed);
            QCOMPARE(b.state().iteration, int64_t(8));
            QCOMPARE(ends,
                     (std::vector<std::pair<int64_t, bool>>{{2, true}, {3, false}, {4, false}}));
            QCOMPARE(order, (std::vector<std::string>{"started", "end 2", "end 3", "end 4"}));
            QCOMPARE(log.size(), size_t(2));
            QVERIFY2(contains(log[0], "restored the training state of epoch 2, iteration 2/2"),
                     log[0].c_str());
            QVERIFY2(contains(log[1],
                              "saved when the end of epoch 2 (its validation) was cancelled; "
                              "the run redoes it before epoch 3"),
                     log[1].c_str());
            QVERIFY(!saver->redoingEpochEnd());
        }

        // Cancelled while waiting for a batch (out of an iteration): exact.
        QTemporaryDir dir2;
        Counter c(2, 4);
        auto cc = std::make_shared<TrainingCheckpoint>();
        addWorkflowProgress(*cc, c);
        c.on(Event::IterationStarted, [](Workflow& w) {
            if (w.state().iteration == 5)
                throw CancelledError();
        });
        c.addHandler(std::make_shared<CheckpointSaver>(
            cc, CheckpointSaverOptions(dir2.path().toStdString())));
        QCOMPARE(c.run(never), JobState::Cancelled);
        const CheckpointHeader h =
            TrainingCheckpoint::readHeader(dir2.filePath("checkpoint.pt").toStdString());
        QCOMPARE(h.progress.at("iteration").get<int64_t>(), int64_t(5));
        QCOMPARE(h.progress.at("epoch_iteration").get<int64_t>(), int64_t(1));
    }

    void loaderRefusesACheckpointPastMaxEpochs() {
        QTemporaryDir dir;
        const std::string file = dir.filePath("c.pt").toStdString();
        Counter a(1, 5);
        auto ca = std::make_shared<TrainingCheckpoint>();
        addWorkflowProgress(*ca, a);
        a.addHandler(std::make_shared<CheckpointSaver>(
            ca, CheckpointSaverOptions(dir.path().toStdString()).save_interval(1)));
        CancelToken never;
        a.run(never);
        Counter b(1, 3);
        auto cb = std::make_shared<TrainingCheckpoint>();
        addWorkflowProgress(*cb, b);
        b.addHandler(std::make_shared<CheckpointLoader>(
            cb, CheckpointLoaderOptions(dir.filePath("checkpoint.pt").toStdString())));
        const std::string e = errorOf<ConfigError>([&] { b.run(never); });
        QVERIFY2(contains(e, "trainer.max_epochs: the checkpoint") && contains(e, "epoch 5"),
                 e.c_str());
        // with max_epochs raised the run goes on from epoch 6
        Counter c(1, 7);
        auto cc = std::make_shared<TrainingCheckpoint>();
        addWorkflowProgress(*cc, c);
        c.addHandler(std::make_shared<CheckpointLoader>(
            cc, CheckpointLoaderOptions(dir.filePath("checkpoint.pt").toStdString())));
        QCOMPARE(c.run(never), JobState::Completed);
        QCOMPARE(c.state().iteration, int64_t(7));
    }

    void experimentSectionIsChecked() {
        const auto d = checkpointSaverOptionsFromJson(nullptr, "out");
        QCOMPARE(d.save_dir(), std::string("out"));
        QCOMPARE(d.save_interval(), int64_t(1));
        QCOMPARE(d.n_saved(), int64_t(1));
        QCOMPARE(d.key_metric_filename(), std::string("best_model.pt"));
        QCOMPARE(d.latest_filename(), std::string("checkpoint.pt"));
        const auto o = checkpointSaverOptionsFromJson(
            {{"save_interval", 5}, {"epoch_level", false}, {"n_saved", 0}}, "out");
        QVERIFY(!o.epoch_level() && o.save_interval() == 5 && o.n_saved() == 0);
        QVERIFY(contains(errorOf<ConfigError>([] {
                             checkpointSaverOptionsFromJson({{"save_intervall", 1}}, "out");
                         }),
                         "checkpoint.save_intervall"));
        QVERIFY(contains(errorOf<ConfigError>([] {
                             checkpointSaverOptionsFromJson({{"n_saved", -1}}, "out");
                         }),
                         "checkpoint.n_saved"));
        QVERIFY(contains(errorOf<ConfigError>([] {
                             checkpointSaverOptionsFromJson({{"key_metric_n_saved", 3}}, "out");
                         }),
                         "checkpoint.key_metric_n_saved: a fixed key_metric_filename keeps one"));
        QVERIFY(contains(errorOf<ConfigError>([] {
                             checkpointSaverOptionsFromJson({{"latest_filename", "../x.pt"}}, "o");
                         }),
                         "checkpoint.latest_filename"));
    }

    void loaderSkipsBatchesWithoutBuildingThem() {
        class Counting : public Dataset {
        public:
            using Dataset::Dataset;
            std::vector<Sample> get(size_t i, uint64_t key) const override {
                ++calls;
                return Dataset::get(i, key);
            }
            mutable std::atomic<int> calls{0};
        };
        Counting ds(numberedItems(7), chain(kChain, 5));
        DataLoader loader(ds, DataLoaderOptions().batch_size(2).shuffle(true).seed(3));
        loader.startEpoch(4);
        std::vector<Batch> all;
        while (auto b = loader.next())
            all.push_back(std::move(*b));
        QCOMPARE(all.size(), size_t(4));
        ds.calls = 0;
        loader.startEpoch(4, 2);
        std::vector<Batch> rest;
        while (auto b = loader.next())
            rest.push_back(std::move(*b));
        QCOMPARE(ds.calls.load(), 3); // items 5, 6, 7 only
        QCOMPARE(rest.size(), size_t(2));
        for (size_t i = 0; i < 2; ++i) {
            QCOMPARE(rest[i].itemIndex, all[i + 2].itemIndex);
            QVERIFY(torch::equal(rest[i]["image"], all[i + 2]["image"]));
        }
        QVERIFY_THROWS_EXCEPTION(ConfigError, loader.startEpoch(4, 5));
    }
};

QTEST_GUILESS_MAIN(TestCheckpointResume)
#include "test_checkpoint_resume.moc"
