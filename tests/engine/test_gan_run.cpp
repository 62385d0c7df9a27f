/// The GAN experiment and its run (GanExperiment, GanRun): the 2D synthetic
/// pictures (closed form), configuration errors naming their fields, a
/// short real run (files, finite losses, epoch means, the discriminator
/// learning against a fixed generator), the run stopping at a NaN with the
/// epoch and iteration named, and exact resume in deterministic mode (at an
/// epoch boundary and after a cancel mid-epoch).

#include "TestSupport.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/data/SyntheticData.h"
#include "engine/io/ImageLoader.h"
#include "engine/io/Npy.h"
#include "engine/networks/StateDict.h"
#include "engine/training/GanExperiment.h"
#include "engine/training/GanRun.h"

namespace fs = std::filesystem;
using namespace medulla;

namespace {

/// The tiny experiment: 8 synthetic 32x32 pictures, 2 iterations per epoch.
Json tinyExperiment(const std::string& root) {
    return Json::parse(R"({
      "workflow": "gan", "name": "tiny-gan", "output_dir": "",
      "data": {"dataset": "",
               "synthetic": {"num_cases": 8, "seed": 3, "size": [32, 32], "num_objs": 3,
                             "rad_max": 8, "rad_min": 3, "noise_max": 0.2}},
      "train_transforms": [
        {"name": "LoadImaged", "keys": ["image"]},
        {"name": "EnsureChannelFirstd", "keys": ["image"], "spatial_dims": 2},
        {"name": "ScaleIntensityd", "keys": ["image"]},
        {"name": "RandFlipd", "keys": ["image"], "spatial_axis": [0], "prob": 0.5}],
      "generator": {"name": "Generator", "latent_shape": [16], "start_shape": [8, 8, 8],
                    "channels": [8, 1], "strides": [2, 2], "num_res_units": 0},
      "discriminator": {"name": "Discriminator", "in_shape": [1, 32, 32], "channels": [4, 8, 1],
                        "strides": [2, 2, 1], "num_res_units": 0},
      "g_optimizer": {"name": "Adam", "lr": 0.0002, "betas": [0.5, 0.999]},
      "d_optimizer": {"name": "Adam", "lr": 0.0005, "betas": [0.5, 0.999]},
      "gan": {"latent_size": 16, "d_train_steps": 2, "normal_init": true,
              "generator_sigmoid": true, "num_samples": 4},
      "trainer": {"max_epochs": 2, "batch_size": 4, "seed": 0, "threads": 2,
                  "deterministic": true}
    })")
        .patch(Json::parse(R"([{"op": "replace", "path": "/output_dir", "value": ")" + root +
                           R"(/out"}, {"op": "replace", "path": "/data/dataset", "value": ")" +
                           root + R"(/data/dataset.json"}])"));
}

/// The ConfigError message of reading `j` ("" when it reads).
std::string configError(const Json& j) {
    try {
        (void)GanExperimentConfig::fromJson(j, "exp.json");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return {};
}

/// Records the observer events; cancels `cancel` after iteration `cancelAt`.
struct Recorder : TrainingObserver {
    std::vector<IterationEvent> iterations;
    std::vector<EpochEvent> epochs;
    CancelToken* cancel = nullptr;
    long long cancelAt = -1;
    void onIteration(const IterationEvent& e) override {
        iterations.push_back(e);
        if (cancel && e.globalStep == cancelAt)
            cancel->cancel();
    }
    void onEpoch(const EpochEvent& e) override { epochs.push_back(e); }
};

std::string readText(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

/// metrics.csv rows as (epoch, g_loss, d_loss).
std::vector<std::array<double, 3>> readMetrics(const std::string& path) {
    std::ifstream f(path);
    std::string line;
    std::getline(f, line);
    std::vector<std::array<double, 3>> rows;
    while (std::getline(f, line)) {
        std::array<double, 3> r{};
        std::sscanf(line.c_str(), "%lf,%lf,%lf", &r[0], &r[1], &r[2]);
        rows.push_back(r);
    }
    return rows;
}

JobState runGan(const Json& j, Recorder* recorder = nullptr, const std::string& resume = {},
                CancelToken* cancel = nullptr) {
    GanRun run(GanExperimentConfig::fromJson(j));
    if (recorder)
        run.addObserver(recorder);
    run.resumeFrom(resume);
    CancelToken own;
    return run.run(cancel ? *cancel : own);
}

bool sameStateDict(const StateDict& a, const StateDict& b, std::string* why) {
    if (a.size() != b.size()) {
        *why = "key counts differ";
        return false;
    }
    for (const auto& kv : a)
        if (!b.count(kv.first) || !torch::equal(kv.second, b.at(kv.first))) {
            *why = "differs: " + kv.first;
            return false;
        }
    return true;
}

} // namespace

class TestGanRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void syntheticDiscClosedForm() {
        // One disc, no noise, one class: the image is 1 on the disc drawn
        // from the generator's first draws (centre x, centre y, radius) and
        // 0 elsewhere; the label is the same mask.
        const auto o = SyntheticImageOptions()
                           .height(24)
                           .width(20)
                           .num_objs(1)
                           .rad_max(6)
                           .rad_min(2)
                           .noise_max(0.0)
                           .num_seg_classes(1);
        RandomGenerator rng(11), draws(11);
        const SyntheticPair p = createTestImage2d(o, rng);
        const double cx = double(draws.integer(6, 24 - 6)), cy = double(draws.integer(6, 20 - 6));
        const double r = double(draws.integer(2, 6));
        QCOMPARE(p.image.data().sizes(), (at::IntArrayRef{1, 24, 20}));
        auto x = torch::arange(24, torch::kFloat).view({-1, 1});
        auto y = torch::arange(20, torch::kFloat).view({1, -1});
        const at::Tensor disc =
            (((x - cx).square() + (y - cy).square()) <= r * r).to(torch::kFloat);
        QVERIFY(disc.sum().item<double>() >= 9); // a real disc (r >= 2)
        QVERIFY(torch::equal(p.label.data()[0], disc));
        QVERIFY(torch::equal(p.image.data()[0], disc));

        // The 2D dataset: PNG pictures holding round(255 * image).
        QTemporaryDir dir;
        NullProgress none;
        SyntheticImageOptions img = o;
        img.num_objs(3).noise_max(0.3);
        writeSyntheticDataset(
            dir.path().toStdString(),
            SyntheticDatasetOptions().num_cases(2).seed(5).image(img).spatial_dims(2), none);
        RandomGenerator again(5);
        const SyntheticPair first = createTestImage2d(img, again);
        const Volume loaded = loadImage(dir.path().toStdString() + "/imagesTr/case_000.png");
        QCOMPARE(loaded.data().sizes(), (at::IntArrayRef{1, 24, 20}));
        QVERIFY(torch::equal(loaded.data(), (first.image.data() * 255.0).round()));
        const Json ds = Json::parse(readText(dir.path().toStdString() + "/dataset.json"));
        QCOMPARE(ds["tensorImageSize"].get<std::string>(), std::string("2D"));
        QCOMPARE(ds["training"][1]["image"].get<std::string>(),
                 std::string("./imagesTr/case_001.png"));
    }

    void configErrorsNameFields() {
        const Json ok = tinyExperiment("/tmp/unused");
        QCOMPARE(configError(ok), std::string());
        auto with = [&](const char* patch) { return configError(ok.patch(Json::parse(patch))); };
        const std::string steps =
            with(R"([{"op": "replace", "path": "/gan/d_train_steps", "value": 0}])");
        QVERIFY2(steps.find("exp.json") != std::string::npos &&
                     steps.find("gan.d_train_steps") != std::string::npos,
                 steps.c_str());
        const std::string latent =
            with(R"([{"op": "replace", "path": "/generator/latent_shape", "value": [32]}])");
        QVERIFY2(
            latent.find("generator.latent_shape: holds 32 values, but gan.latent_size is 16") !=
                std::string::npos,
            latent.c_str());
        const std::string inShape =
            with(R"([{"op": "replace", "path": "/discriminator/in_shape", "value": [1, 16, 16]}])");
        QVERIFY2(
            inShape.find("discriminator.in_shape: is 1x16x16, but the generator makes 1x32x32") !=
                std::string::npos,
            inShape.c_str());
        const std::string workflow =
            with(R"([{"op": "replace", "path": "/workflow", "value": "gann"}])");
        QVERIFY2(workflow.find("workflow: expected \"supervised\" or \"gan\"") != std::string::npos,
                 workflow.c_str());
        QVERIFY(
            with(R"([{"op": "add", "path": "/checkpoint", "value": {"save_key_metric": true}}])")
                .find("checkpoint.save_key_metric") != std::string::npos);
        QVERIFY(with(R"([{"op": "add", "path": "/data/val_fraction", "value": 0.2}])")
                    .find("data.val_fraction: a GAN run has no validation") != std::string::npos);
        QVERIFY(with(R"([{"op": "add", "path": "/trainer/amp", "value": true}])")
                    .find("trainer.amp: unknown parameter") != std::string::npos);
        QVERIFY(with(R"([{"op": "replace", "path": "/data/synthetic/size", "value": [32]}])")
                    .find("data.synthetic.size") != std::string::npos);
        QVERIFY(with(R"([{"op": "remove", "path": "/generator"}])").find("generator: required") !=
                std::string::npos);
        // toJson() reads back to itself.
        const Json j = GanExperimentConfig::fromJson(ok).toJson();
        QCOMPARE(GanExperimentConfig::fromJson(j).toJson().dump(), j.dump());
        QVERIFY(isGanExperiment(j));
        QVERIFY(!isGanExperiment(Json{{"name", "supervised"}}));
    }

    void shortRunWritesEverything() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        Recorder rec;
        QCOMPARE(runGan(tinyExperiment(root), &rec), JobState::Completed);
        const fs::path out = root + "/out";
        for (const char* f : {"experiment.json", "train.log", "metrics.csv", "checkpoint.pt",
                              "checkpoint_epoch=2.pt", "generator_state.pt", "samples.png"})
            QVERIFY2(fs::exists(out / f), f);
        QVERIFY(!fs::exists(out / "checkpoint_epoch=1.pt")); // n_saved 1
        // 8 images / batch 4 = 2 iterations per epoch, 2 epochs.
        QCOMPARE(int(rec.iterations.size()), 4);
        QCOMPARE(int(rec.epochs.size()), 2);
        QCOMPARE(rec.iterations.back().totalSteps, 4LL);
        const auto rows = readMetrics((out / "metrics.csv").string());
        QCOMPARE(int(rows.size()), 2);
        for (int e = 0; e < 2; ++e) {
            QCOMPARE(rows[e][0], double(e + 1));
            QVERIFY(std::isfinite(rows[e][1]) && std::isfinite(rows[e][2]));
            // The epoch's mean g_loss is the mean of its iterations' losses.
            const double mean = (rec.iterations[2 * e].loss + rec.iterations[2 * e + 1].loss) / 2;
            QVERIFY(std::fabs(rec.epochs[e].meanLoss - mean) < 1e-12);
            QVERIFY(std::fabs(rows[e][1] - mean) < 1e-12);
            QVERIFY(rows[e][2] > 0);
            QCOMPARE(rec.epochs[e].lr, 0.0002);
        }
        const std::string log = readText((out / "train.log").string());
        QVERIFY2(log.find("Epoch: 2/2, Iter: 2/2 -- d_loss: ") != std::string::npos, log.c_str());
        QVERIFY(log.find(" g_loss: ") != std::string::npos);
        // The generator's state dict has MONAI's keys and the trained weights.
        const StateDict g = readStateDict((out / "generator_state.pt").string());
        QVERIFY(g.count("linear.weight") && g.count("conv.layer_0.conv.weight"));
        QCOMPARE(g.at("linear.weight").sizes(), (at::IntArrayRef{512, 16}));
        // 4 samples of 32x32 in a 2x2 grid with 2 pixels between them.
        const Volume samples = loadImage((out / "samples.png").string());
        QCOMPARE(samples.data().sizes(), (at::IntArrayRef{1, 66, 66}));
        QCOMPARE(samples.data().slice(1, 32, 34).abs().sum().item<double>(), 0.0);
    }

    void discriminatorLearnsAgainstAFixedGenerator() {
        // The generator cannot move (SGD, lr 0): the discriminator's task is
        // fixed, so its loss must fall, and the generator's loss
        // BCE(D(fakes), 1) must rise as D calls the fakes fake.
        QTemporaryDir dir;
        Json j = tinyExperiment(dir.path().toStdString());
        j["g_optimizer"] = {{"name", "SGD"}, {"lr", 0.0}};
        j["d_optimizer"] = {{"name", "Adam"}, {"lr", 0.005}};
        j["gan"]["d_train_steps"] = 5;
        j["trainer"]["max_epochs"] = 4;
        QCOMPARE(runGan(j), JobState::Completed);
        const auto rows = readMetrics(dir.path().toStdString() + "/out/metrics.csv");
        QCOMPARE(int(rows.size()), 4);
        QVERIFY2(rows[3][2] < 0.5 * rows[0][2],
                 qPrintable(QString("d_loss %1 -> %2").arg(rows[0][2]).arg(rows[3][2])));
        QVERIFY2(rows[3][1] > rows[0][1],
                 qPrintable(QString("g_loss %1 -> %2").arg(rows[0][1]).arg(rows[3][1])));
    }

    void nanStopsTheRunNamingWhere() {
        // Two .npy pictures, one holding a NaN: the batch with it fails.
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        fs::create_directories(root + "/data");
        Json training = Json::array();
        for (int i = 0; i < 2; ++i) {
            at::Tensor img = torch::rand({32, 32});
            if (i == 1)
                img[5][7] = std::nan("");
            const std::string name = "img" + std::to_string(i) + ".npy";
            writeNpy(img, root + "/data/" + name);
            training.push_back({{"image", "./" + name}});
        }
        std::ofstream(root + "/data/dataset.json") << Json{{"training", training}}.dump();
        Json j = tinyExperiment(root);
        j["data"].erase("synthetic");
        j["trainer"]["batch_size"] = 1;
        j["trainer"]["max_epochs"] = 1;
        try {
            runGan(j);
            QFAIL("a NaN image must stop the run");
        } catch (const Error& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("at epoch 1, iteration ") != std::string::npos &&
                         what.find("/2: ") != std::string::npos &&
                         what.find("non-finite") != std::string::npos,
                     what.c_str());
        }
    }

    void resumeIsExact() {
        // Deterministic, 2 threads: 2 epochs at once, 1 epoch + resume, and
        // a cancel after iteration 3 (mid-epoch 2) + resume give bitwise the
        // same generator and the same metrics.csv.
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        Json whole = tinyExperiment(root + "/a");
        whole["data"]["dataset"] = root + "/data/dataset.json";
        QCOMPARE(runGan(whole), JobState::Completed);

        Json split = whole;
        split["output_dir"] = root + "/b/out";
        split["trainer"]["max_epochs"] = 1;
        QCOMPARE(runGan(split), JobState::Completed);
        split["trainer"]["max_epochs"] = 2;
        QCOMPARE(runGan(split, nullptr, root + "/b/out/checkpoint.pt"), JobState::Completed);

        Json cut = whole;
        cut["output_dir"] = root + "/c/out";
        CancelToken cancel;
        Recorder rec;
        rec.cancel = &cancel;
        rec.cancelAt = 3;
        QCOMPARE(runGan(cut, &rec, {}, &cancel), JobState::Cancelled);
        QCOMPARE(int(rec.iterations.size()), 3);
        QCOMPARE(runGan(cut, nullptr, root + "/c/out/checkpoint.pt"), JobState::Completed);

        const StateDict a = readStateDict(root + "/a/out/generator_state.pt");
        std::string why;
        for (const char* other : {"/b/out/generator_state.pt", "/c/out/generator_state.pt"})
            QVERIFY2(sameStateDict(a, readStateDict(root + other), &why),
                     (std::string(other) + ": " + why).c_str());
        const std::string metrics = readText(root + "/a/out/metrics.csv");
        QCOMPARE(readText(root + "/b/out/metrics.csv"), metrics);
        QCOMPARE(readText(root + "/c/out/metrics.csv"), metrics);
    }
};

QTEST_GUILESS_MAIN(TestGanRun)
#include "test_gan_run.moc"
