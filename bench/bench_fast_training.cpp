/// Time to a validation mean Dice of `--target` for MONAI's two training
/// recipes (its fast_training tutorial, which reported the fast one
/// reaching the spleen model's Dice about 12x sooner on a GPU), on the
/// synthetic spleen-like cases of shared/bench/monai/bench_transforms.py:
///
///   plain: plain Dataset (the whole transform chain on every fetch), one
///          loader thread, Adam lr 1e-4, float32;
///   fast:  CacheDataset (the deterministic prefix cached once, filled on
///          --threads threads), two loader threads, Novograd lr 1e-3, AMP
///          where the hardware has it (CUDA; a CPU with native bf16).
///
/// Both run the same experiment otherwise, through medulla::Trainer (what
/// `medulla train` runs): the spleen UNet (16..256, 2 residual units, batch
/// norm) by default, DiceLoss, batches of 2 cases x `--samples` crops of
/// `--crop`^3, validation every epoch with a sliding window (roi
/// `--roi`^3, sw_batch 4) on the held-out 20% of `--cases` cases, the same
/// seeds. The clock runs from the start of the run (data preparation and
/// cache filling included) to the end of the first epoch whose validation
/// reaches the target. Prints one JSON line:
///   {"bench": "fast_training", "target": 0.9, "plain": {...}, "fast": {...},
///    "speedup": plain seconds / fast seconds, ...}
/// with, per recipe, seconds_to_target (null when not reached within
/// --max-epochs), epochs_to_target, the Dice of every epoch and the median
/// epoch time.
///
///   bench_fast_training [--dir /tmp/medulla-bench-fast] [--cases 10]
///       [--crop 96] [--samples 4] [--roi 160] [--channels 16,32,64,128,256]
///       [--max-epochs 60] [--target 0.9] [--threads 2] [--recipes plain,fast]

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bench/BenchData.h"
#include "bench/BenchUtil.h"
#include "engine/training/Autocast.h"
#include "engine/training/Trainer.h"

#include <torch/cuda.h>

namespace fs = std::filesystem;
using namespace medulla;
using nlohmann::json;

namespace {

struct Settings {
    std::string dir = "/tmp/medulla-bench-fast";
    int cases = 10, crop = 96, samples = 4, roi = 160, maxEpochs = 60, threads = 2;
    std::vector<int64_t> channels{16, 32, 64, 128, 256};
    double target = 0.9;
};

/// Stops the run at the end of the first epoch whose validation reaches
/// the target, and records the times.
class TargetWatch : public TrainingObserver {
public:
    TargetWatch(double target, CancelToken& cancel) : target_(target), cancel_(cancel) {}
    void onIteration(const IterationEvent&) override {
        if (firstIteration_ < 0)
            firstIteration_ = clock_.seconds();
    }
    void onEpoch(const EpochEvent& e) override {
        dice_.push_back(e.valMeanDice);
        epochSeconds_.push_back(e.seconds);
        if (reachedAt_ < 0 && e.valMeanDice >= target_) {
            reachedAt_ = clock_.seconds();
            reachedEpoch_ = e.epoch;
            cancel_.cancel();
        }
    }
    void onMessage(const std::string& m) override { std::fprintf(stderr, "  %s\n", m.c_str()); }

    json result() const {
        return {{"seconds_to_target", reachedAt_ < 0 ? json() : json(reachedAt_)},
                {"epochs_to_target", reachedEpoch_ < 0 ? json() : json(reachedEpoch_)},
                {"preparation_s", firstIteration_},
                {"epoch_s_median", bench::median(epochSeconds_)},
                {"epochs_run", dice_.size()},
                {"val_dice", dice_}};
    }

private:
    double target_;
    CancelToken& cancel_;
    bench::Stopwatch clock_;
    double firstIteration_ = -1, reachedAt_ = -1;
    int reachedEpoch_ = -1;
    std::vector<double> dice_, epochSeconds_;
};

json experiment(const Settings& s, const std::string& recipe, bool amp) {
    const bool fast = recipe == "fast";
    json data = {{"dataset", (fs::path(s.dir) / "dataset.json").string()},
                 {"datalist_key", "training"},
                 {"val_fraction", 0.2},
                 {"num_workers", fast ? 2 : 1}};
    data["cache"] = fast ? json{{"name", "CacheDataset"}, {"num_workers", s.threads}}
                         : json{{"name", "Dataset"}};
    std::vector<int64_t> strides(s.channels.size() - 1, 2);
    return {{"name", "fast-training-" + recipe},
            {"output_dir", (fs::path(s.dir) / ("run-" + recipe)).string()},
            {"data", data},
            {"train_transforms", json::parse(bench::spleenChainJson(s.samples, s.crop))},
            {"val_transforms", json::parse(bench::spleenChainJson(0))},
            {"network",
             {{"name", "UNet"},
              {"spatial_dims", 3},
              {"in_channels", 1},
              {"out_channels", 2},
              {"channels", s.channels},
              {"strides", strides},
              {"num_res_units", 2},
              {"norm", "batch"}}},
            {"loss", {{"name", "DiceLoss"}, {"to_onehot_y", true}, {"softmax", true}}},
            {"optimizer", fast ? json{{"name", "Novograd"}, {"lr", 1e-3}}
                               : json{{"name", "Adam"}, {"lr", 1e-4}}},
            {"inferer",
             {{"name", "SlidingWindowInferer"},
              {"roi_size", {s.roi, s.roi, s.roi}},
              {"sw_batch_size", 4}}},
            {"checkpoint", {{"save_interval", 0}}},
            {"trainer",
             {{"max_epochs", s.maxEpochs},
              {"batch_size", 2},
              {"val_interval", 1},
              {"seed", 0},
              {"threads", s.threads},
              {"amp", fast && amp}}}};
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Time to a validation Dice target: MONAI's plain and fast training recipes"};
    Settings s;
    std::vector<std::string> recipes{"plain", "fast"};
    app.add_option("--dir", s.dir, "cases and run folders");
    app.add_option("--cases", s.cases, "synthetic cases (20% validate)")->check(CLI::Range(5, 100));
    app.add_option("--crop", s.crop, "training crop edge (voxels)");
    app.add_option("--samples", s.samples, "crops per case");
    app.add_option("--roi", s.roi, "validation sliding-window edge");
    app.add_option("--channels", s.channels, "UNet channels")->delimiter(',');
    app.add_option("--max-epochs", s.maxEpochs);
    app.add_option("--target", s.target, "validation mean Dice to reach");
    app.add_option("--threads", s.threads);
    app.add_option("--recipes", recipes)->delimiter(',')->check(CLI::IsMember({"plain", "fast"}));
    CLI11_PARSE(app, argc, argv);

    fs::create_directories(s.dir);
    json list = {{"training", json::array()}};
    for (const auto& [image, label] : bench::spleenLikeCases(s.dir, s.cases))
        list["training"].push_back({{"image", image}, {"label", label}});
    std::ofstream(fs::path(s.dir) / "dataset.json") << list.dump(1);

    const bool amp = torch::cuda::is_available() || cpuHasNativeBf16();
    json out = {
        {"bench", "fast_training"}, {"target", s.target},
        {"cases", s.cases},         {"crop", s.crop},
        {"samples", s.samples},     {"channels", s.channels},
        {"threads", s.threads},     {"device", torch::cuda::is_available() ? "cuda" : "cpu"},
        {"fast_uses_amp", amp},     {"loadavg_before", bench::loadavg()}};
    for (const auto& recipe : recipes) {
        std::fprintf(stderr, "recipe %s\n", recipe.c_str());
        fs::remove_all(fs::path(s.dir) / ("run-" + recipe));
        CancelToken cancel;
        TargetWatch watch(s.target, cancel);
        Trainer trainer(ExperimentConfig::fromJson(experiment(s, recipe, amp), "bench"));
        trainer.addObserver(&watch);
        trainer.run(cancel);
        out[recipe] = watch.result();
        std::fprintf(stderr, "  %s\n", out[recipe].dump().c_str());
    }
    if (out.contains("plain") && out.contains("fast") &&
        !out["plain"]["seconds_to_target"].is_null() && !out["fast"]["seconds_to_target"].is_null())
        out["speedup"] = out["plain"]["seconds_to_target"].get<double>() /
                         out["fast"]["seconds_to_target"].get<double>();
    out["loadavg_after"] = bench::loadavg();
    out["peak_rss_mb"] = bench::peakRssMb();
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
