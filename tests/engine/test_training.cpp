/// The thin training slice end to end: synthetic data on disk, transforms,
/// a 2-epoch run whose loss decreases, checkpoints, cancellation within one
/// iteration, and configuration errors that name the field.

#include "TestSupport.h"

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "engine/data/Datalist.h"
#include "engine/data/SyntheticData.h"
#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"
#include "engine/training/Autocast.h"
#include "engine/training/Checkpoint.h"
#include "engine/training/Trainer.h"
#include "engine/training/TrainingJob.h"
#include "engine/transforms/Compose.h"
#include "engine/transforms/RandCropByPosNegLabeld.h"

using namespace medulla;
namespace fs = std::filesystem;

namespace {

Json tinyExperiment(const std::string& dir, int epochs) {
    return Json::parse(R"({
      "name": "tiny", "output_dir": ")" +
                       dir + R"(/run",
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
                       std::to_string(epochs) + R"(, "batch_size": 2, "seed": 3}
    })");
}

class Recorder : public TrainingObserver {
public:
    void onIteration(const IterationEvent& e) override {
        {
            std::lock_guard<std::mutex> l(m);
            iterations.push_back(e);
            steps = e.globalStep;
        }
        if (cancelJob && e.globalStep == cancelAtStep)
            cancelJob->cancel(); // as a user would, while the run is mid-epoch
    }
    void onEpoch(const EpochEvent& e) override {
        std::lock_guard<std::mutex> l(m);
        epochs.push_back(e);
    }
    void onPrediction(const PredictionEvent& e) override {
        std::lock_guard<std::mutex> l(m);
        prediction = e;
    }
    void onStateChanged(JobState s) override {
        std::lock_guard<std::mutex> l(m);
        states.push_back(s);
    }
    std::mutex m;
    std::vector<IterationEvent> iterations;
    std::vector<EpochEvent> epochs;
    std::vector<JobState> states;
    PredictionEvent prediction;
    std::atomic<long long> steps{0};
    TrainingJob* cancelJob = nullptr;
    long long cancelAtStep = -1;
};

} // namespace

class TestTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void syntheticDatasetOnDisk() {
        QTemporaryDir dir;
        SyntheticDatasetOptions o;
        o.num_cases(3).seed(5).image(SyntheticImageOptions()
                                         .height(24)
                                         .width(24)
                                         .depth(24)
                                         .rad_max(6)
                                         .rad_min(2)
                                         .num_objs(3)
                                         .num_seg_classes(1)
                                         .noise_max(0.2));
        NullProgress none;
        writeSyntheticDataset(dir.path().toStdString(), o, none);
        auto items = loadDecathlonDatalist(dir.path().toStdString() + "/dataset.json");
        QCOMPARE(items.size(), size_t(3));
        Compose load = Compose::fromJson(Json::parse(R"([{"name":"LoadImaged"}])"), "t");
        RandomGenerator rng(0);
        Sample s = load(items[0], rng).front();
        const at::Tensor img = s.at("image").data(), lab = s.at("label").data();
        QCOMPARE(img.sizes().vec(), (std::vector<int64_t>{1, 24, 24, 24}));
        QVERIFY(std::fabs(img.min().item<double>()) < 1e-6 &&
                std::fabs(img.max().item<double>() - 1) < 1e-6);
        QVERIFY(lab.gt(0).sum().item<int64_t>() > 0);
        // spheres are brighter than the noise floor: every labelled voxel >= every noise voxel is
        // not guaranteed, but the means must separate clearly
        QVERIFY(img.masked_select(lab > 0).mean().item<double>() >
                img.masked_select(lab == 0).mean().item<double>() + 0.3);
        // same seed, same data
        RandomGenerator a(9), b(9);
        QVERIFY(torch::equal(createTestImage3d(o.image(), a).label.data(),
                             createTestImage3d(o.image(), b).label.data()));
    }

    void posNegCrop() {
        at::Tensor label = torch::zeros({1, 20, 20, 20});
        label.index_put_({0, torch::indexing::Slice(2, 4), torch::indexing::Slice(15, 17),
                          torch::indexing::Slice(8, 10)},
                         1);
        Sample s;
        s.volumes["image"] =
            Volume(torch::rand({1, 20, 20, 20}),
                   Affine::fromGeometry({2, 2, 2}, {5, 6, 7}, {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}));
        s.volumes["label"] = Volume(label, s.volumes["image"].affine());
        RandCropByPosNegLabeld crop(
            RandCropByPosNegLabeldOptions().spatial_size({8, 8, 8}).pos(1).neg(0).num_samples(5));
        RandomGenerator rng(1);
        auto out = crop.applyMany(s, rng);
        QCOMPARE(out.size(), size_t(5));
        for (const auto& o : out) {
            QCOMPARE(o.at("label").spatialShape(), (std::vector<int64_t>{8, 8, 8}));
            QVERIFY(o.at("label").data().sum().item<double>() > 0); // centred on foreground
            // the crop's world position matches the source voxel it came from
            const Vec3 w = o.at("image").affine().origin();
            const Vec3 start = s.at("image").affine().worldToVoxel(w);
            const int64_t x = std::lround(start[0]), y = std::lround(start[1]),
                          z = std::lround(start[2]);
            QCOMPARE(o.at("image").valueAt(0, 0, 0, 0), s.at("image").valueAt(0, x, y, z));
        }
        RandCropByPosNegLabeld tooBig(RandCropByPosNegLabeldOptions().spatial_size({30, 8, 8}));
        QVERIFY_THROWS_EXCEPTION(ShapeError, tooBig.applyMany(s, rng));
    }

    void twoEpochsLossDecreases() {
        QTemporaryDir dir;
        auto cfg = ExperimentConfig::fromJson(tinyExperiment(dir.path().toStdString(), 2));
        Trainer trainer(cfg);
        Recorder rec;
        trainer.addObserver(&rec);
        CancelToken never;
        QCOMPARE(trainer.run(never), JobState::Completed);
        QCOMPARE(rec.epochs.size(), size_t(2));
        QVERIFY2(rec.epochs[1].meanLoss < rec.epochs[0].meanLoss,
                 qPrintable(QString("epoch losses %1 -> %2")
                                .arg(rec.epochs[0].meanLoss)
                                .arg(rec.epochs[1].meanLoss)));
        QCOMPARE(rec.iterations.size(), size_t(4)); // 4 training cases, batch 2, 2 epochs
        for (const auto& e : rec.epochs)
            QVERIFY(e.valMeanDice >= 0 && e.valMeanDice <= 1);
        // checkpoints are complete and loadable; no temporary files remain
        const fs::path run = dir.path().toStdString() + "/run";
        QVERIFY(fs::exists(run / "checkpoint.pt") && fs::exists(run / "best_model.pt"));
        for (const auto& f : fs::directory_iterator(run))
            QVERIFY2(f.path().filename().string().find(".tmp") == std::string::npos,
                     f.path().c_str());
        auto net = networkRegistry().create(cfg.network, "network");
        const CheckpointInfo info = loadCheckpoint((run / "checkpoint.pt").string(), *net);
        QCOMPARE(info.epoch, int64_t(2));
        QVERIFY(std::fabs(info.bestMetric -
                          std::max(rec.epochs[0].valMeanDice, rec.epochs[1].valMeanDice)) < 1e-9);
        QCOMPARE(readStateDict((run / "best_model_state.pt").string()).size(),
                 moduleStateDict(*net).size());
        // the final prediction is a label map on the validation image's grid
        QVERIFY(rec.prediction.prediction.isValid());
        QCOMPARE(rec.prediction.prediction.spatialShape(), rec.prediction.image.spatialShape());
        QVERIFY(fs::exists(rec.prediction.file));
    }

    void ampOnCpuMatchesFloat32() {
        // trainer.amp on CPU: bfloat16 autocast (no scaler); a slow-bf16
        // warning when the CPU lacks bf16 instructions; validation Dice of
        // each epoch within 0.02 of the float32 run.
        std::vector<double> dice[2];
        std::vector<std::string> messages;
        for (int amp = 0; amp < 2; ++amp) {
            QTemporaryDir dir;
            Json j = tinyExperiment(dir.path().toStdString(), 3);
            j["trainer"]["amp"] = amp == 1;
            Trainer trainer(ExperimentConfig::fromJson(j));
            struct Messages : Recorder {
                std::vector<std::string>* out = nullptr;
                void onMessage(const std::string& m) override { out->push_back(m); }
            } rec;
            rec.out = &messages;
            trainer.addObserver(&rec);
            CancelToken never;
            QCOMPARE(trainer.run(never), JobState::Completed);
            for (const auto& e : rec.epochs)
                dice[amp].push_back(e.valMeanDice);
        }
        QCOMPARE(dice[1].size(), dice[0].size());
        for (size_t e = 0; e < dice[0].size(); ++e)
            QVERIFY2(std::fabs(dice[1][e] - dice[0][e]) < 0.02,
                     qPrintable(QString("epoch %1: amp %2, fp32 %3")
                                    .arg(e + 1)
                                    .arg(dice[1][e])
                                    .arg(dice[0][e])));
        bool warned = false;
        for (const auto& m : messages)
            warned = warned || m.find("bf16") != std::string::npos ||
                     m.find("bfloat16") != std::string::npos;
        QCOMPARE(warned, !cpuHasNativeBf16());
    }

    void cancelStopsWithinOneIteration() {
        QTemporaryDir dir;
        auto cfg = ExperimentConfig::fromJson(tinyExperiment(dir.path().toStdString(), 50));
        Recorder rec;
        TrainingJob job(cfg, &rec);
        rec.cancelJob = &job;
        rec.cancelAtStep = 3; // mid-epoch: 2 iterations per epoch
        QVERIFY(job.start());
        job.wait();
        QCOMPARE(job.state(), JobState::Cancelled);
        QCOMPARE(rec.steps.load(), 3LL); // not one iteration more
        std::lock_guard<std::mutex> l(rec.m);
        QCOMPARE(rec.states.back(), JobState::Cancelled);
        QVERIFY(std::find(rec.states.begin(), rec.states.end(), JobState::Cancelling) !=
                rec.states.end());
        QVERIFY(rec.epochs.size() <= 1);
        QVERIFY(!rec.prediction.prediction.isValid());
    }

    void pauseHoldsBetweenIterations() {
        QTemporaryDir dir;
        auto cfg = ExperimentConfig::fromJson(tinyExperiment(dir.path().toStdString(), 50));
        Recorder rec;
        TrainingJob job(cfg, &rec);
        job.start();
        QTRY_VERIFY_WITH_TIMEOUT(rec.steps.load() >= 2, 120000);
        job.pause();
        QCOMPARE(job.state(), JobState::Paused);
        const long long atPause = rec.steps.load();
        QTest::qWait(1500);
        QVERIFY2(rec.steps.load() <= atPause + 1, "iterations ran while paused");
        const long long held = rec.steps.load();
        job.resume();
        QCOMPARE(job.state(), JobState::Running);
        QTRY_VERIFY_WITH_TIMEOUT(rec.steps.load() > held + 1, 120000);
        job.cancel();
        job.wait();
        QCOMPARE(job.state(), JobState::Cancelled);
    }

    void cudaWithoutGpuIsAClearError() {
        if (torch::cuda::is_available())
            QSKIP("a GPU is present: this checks the CPU-only message");
        QTemporaryDir dir;
        Json j = tinyExperiment(dir.path().toStdString(), 1);
        j["trainer"]["device"] = "cuda";
        Trainer trainer(ExperimentConfig::fromJson(j));
        CancelToken never;
        try {
            trainer.run(never);
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QCOMPARE(QString::fromStdString(e.field()), QString("trainer.device"));
        }
    }

    void failuresAreReportedNotThrown() {
        QTemporaryDir dir;
        Json j = tinyExperiment(dir.path().toStdString(), 1);
        j["data"].erase("synthetic"); // dataset.json does not exist
        auto cfg = ExperimentConfig::fromJson(j);
        Recorder rec;
        TrainingJob job(cfg, &rec);
        job.start();
        job.wait();
        QCOMPARE(job.state(), JobState::Failed);
        QVERIFY2(QString::fromStdString(job.error()).contains("dataset.json"), job.error().c_str());
    }

    void configErrorsNameTheField_data() {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("field");
        QTest::newRow("epochs") << "/trainer/max_epochs"
                                << "0"
                                << "trainer.max_epochs";
        QTest::newRow("typo") << "/trainer/max_epoch"
                              << "3"
                              << "trainer.max_epoch";
        QTest::newRow("transform") << "/train_transforms/1/name"
                                   << "\"EnsureChannelFirst\""
                                   << "train_transforms[1].name";
        QTest::newRow("channels") << "/network/channels"
                                  << "[4, -8]"
                                  << "network.channels[1]";
        QTest::newRow("lr") << "/optimizer/lr"
                            << "\"fast\""
                            << "optimizer.lr";
        QTest::newRow("val fraction") << "/data/val_fraction"
                                      << "1.5"
                                      << "data.val_fraction";
        QTest::newRow("device") << "/trainer/device"
                                << "\"gpu\""
                                << "trainer.device";
        QTest::newRow("nan policy") << "/trainer/nan_policy"
                                    << "\"ignore\""
                                    << "trainer.nan_policy";
        QTest::newRow("inferer") << "/inferer"
                                 << R"({"name": "SlidingWindowInferer", "roi_size": [16, 16, 16],
                                        "sw_batch_size": 0})"
                                 << "inferer.sw_batch_size";
    }
    void configErrorsNameTheField() {
        QFETCH(QString, pointer);
        QFETCH(QString, value);
        QFETCH(QString, field);
        Json j = tinyExperiment("/tmp/x", 1);
        j[Json::json_pointer(pointer.toStdString())] = Json::parse(value.toStdString());
        try {
            ExperimentConfig::fromJson(j, "exp.json");
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QCOMPARE(QString::fromStdString(e.field()), field);
            QCOMPARE(QString::fromStdString(e.file()), QString("exp.json"));
        }
    }

    void shippedDemoExperimentIsValid() {
        auto cfg = ExperimentConfig::load(std::string(MEDULLA_SOURCE_DIR) +
                                          "/resources/demo_experiment.json");
        QCOMPARE(QString::fromStdString(cfg.network["name"]), QString("UNet"));
        QVERIFY(!cfg.synthetic.is_null());
    }
};

QTEST_GUILESS_MAIN(TestTraining)
#include "test_training.moc"
