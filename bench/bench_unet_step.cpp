/// Times one UNet training step (forward + DiceLoss + backward + Adam) on
/// the same work as shared/bench/monai/bench_unet_step.py: the spleen UNet
/// (16,32,64,128,256; strides 2; 2 residual units; batch norm), DiceLoss
/// (softmax, one-hot target), Adam lr 1e-4, batch 2 x 1x96^3 of synthetic
/// spheres. Prints one JSON line.
///
///   bench_unet_step [--steps 10] [--warmup 2] [--batch 2] [--patch 96] [--threads 2]
///                   [--allocator medulla|system] [--layout channels-last|planar]
///                   [--trace FILE]
///
/// Defaults are what the trainer does: Medulla's caching CPU allocator
/// (--allocator system keeps LibTorch's plain malloc one, as a Python MONAI
/// run has) and channels-last activations for oneDNN (--layout planar: the
/// NCDHW layout MONAI uses). --trace writes a chrome trace of the last step.

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sys/resource.h>

#include "engine/core/CpuAllocator.h"
#include "engine/core/Threads.h"
#include "engine/data/SyntheticData.h"
#include "engine/losses/DiceLoss.h"
#include "engine/networks/MemoryFormat.h"
#include "engine/networks/UNet.h"

using namespace medulla;

int main(int argc, char** argv) {
    CLI::App app{"UNet training-step benchmark"};
    int steps = 10, warmup = 2, batch = 2, patch = 96, threads = 2, seed = 0;
    app.add_option("--steps", steps);
    app.add_option("--warmup", warmup);
    app.add_option("--batch", batch);
    app.add_option("--patch", patch);
    app.add_option("--threads", threads);
    app.add_option("--seed", seed);
    std::string allocator = "medulla", trace;
    std::string layout = "channels-last";
    app.add_option("--layout", layout, "activation layout (the trainer's default: channels-last)")
        ->check(CLI::IsMember({"channels-last", "planar"}));
    app.add_option("--trace", trace, "write a legacy-profiler chrome trace of the last step");
    app.add_option("--allocator", allocator)->check(CLI::IsMember({"medulla", "system"}));
    CLI11_PARSE(app, argc, argv);
    threads = configureThreads(threads);
    if (allocator == "medulla")
        installCpuAllocator();
    torch::manual_seed(uint64_t(seed));

    std::vector<at::Tensor> images, labels;
    const int64_t radMax = std::min(20, patch / 2 - 1), radMin = std::min<int64_t>(8, radMax - 1);
    for (int i = 0; i < batch; ++i) {
        RandomGenerator rng(uint64_t(seed + i));
        auto pair = createTestImage3d(SyntheticImageOptions()
                                          .height(patch)
                                          .width(patch)
                                          .depth(patch)
                                          .num_objs(6)
                                          .rad_max(radMax)
                                          .rad_min(radMin)
                                          .noise_max(0.2)
                                          .num_seg_classes(1),
                                      rng);
        images.push_back(pair.image.data());
        labels.push_back(pair.label.data());
    }
    at::Tensor x = torch::stack(images), y = torch::stack(labels);
    UNet net(UNetOptions()
                 .spatial_dims(3)
                 .in_channels(1)
                 .out_channels(2)
                 .channels({16, 32, 64, 128, 256})
                 .strides({2, 2, 2, 2})
                 .num_res_units(2)
                 .norm("batch"));
    DiceLoss loss(DiceLossOptions().to_onehot_y(true).softmax(true));
    if (layout == "channels-last") { // what the trainer does for 3D networks on CPU
        toChannelsLast(*net);
        x = medulla::channelsLast(x);
    }
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-4));
    net->train();
    int64_t nParams = 0;
    for (const auto& p : net->parameters())
        nParams += p.numel();

    std::vector<double> ms, losses;
    for (int k = 0; k < warmup + steps; ++k) {
        std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
        if (!trace.empty() && k == warmup + steps - 1)
            profile = std::make_unique<torch::autograd::profiler::RecordProfile>(trace);
        const auto t0 = std::chrono::steady_clock::now();
        opt.zero_grad();
        at::Tensor l = loss(net->forward(x), y);
        l.backward();
        opt.step();
        const double lv = l.item<double>();
        const double dt =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        profile.reset();
        losses.push_back(std::round(lv * 1e5) / 1e5);
        if (k >= warmup)
            ms.push_back(dt);
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    double median =
        sorted.empty()
            ? 0
            : (sorted.size() % 2 ? sorted[sorted.size() / 2]
                                 : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2);
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    double load[3] = {0, 0, 0};
    if (std::ifstream f{"/proc/loadavg"})
        f >> load[0] >> load[1] >> load[2];
    nlohmann::json out = {{"bench", "unet_step"},
                          {"impl", "medulla"},
                          {"batch", batch},
                          {"patch", {patch, patch, patch}},
                          {"mode", "fp32"},
                          {"threads", threads},
                          {"allocator", allocator},
                          {"layout", layout},
                          {"allocator_cache",
                           {{"hits", cpuMemoryStats().hits},
                            {"misses", cpuMemoryStats().misses},
                            {"cached_mb", double(cpuMemoryStats().cachedBytes) / 1048576.0},
                            {"peak_live_mb", double(cpuMemoryStats().peakBytes) / 1048576.0}}},
                          {"n_params", nParams},
                          {"warmup_steps", warmup},
                          {"step",
                           {{"n", ms.size()},
                            {"median_ms", median},
                            {"min_ms", sorted.empty() ? 0 : sorted.front()},
                            {"max_ms", sorted.empty() ? 0 : sorted.back()},
                            {"all_ms", ms}}},
                          {"losses", losses},
                          {"peak_rss_mb", double(ru.ru_maxrss) / 1024.0},
                          {"loadavg_after", {load[0], load[1], load[2]}}};
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
