/// Times SlidingWindowInferer on the work of
/// shared/bench/monai/bench_inference.py: the spleen UNet (16,32,64,128,256;
/// strides 2; 2 residual units; batch norm) in eval mode without gradients,
/// fp32, on one 1x1x256x256x128 volume; roi 96^3, sw_batch_size 4, overlap
/// 0.25, constant blending and padding -> 32 windows, 8 network calls.
/// Warm-up: one forward of a (4, 1, 96, 96, 96) batch; then --repeats
/// volumes, median reported (outside_network_s: the inferer's own time,
/// windows, weighting, stitching, division). Prints one JSON line.
///
///   bench_inference [--shape 256 256 128] [--roi 96 96 96] [--sw-batch 4]
///                   [--overlap 0.25] [--mode constant] [--repeats 3] [--threads 2]
///                   [--seed 0] [--layout channels-last|planar]
///                   [--allocator medulla|system] [--input X.npy --weights Y.pt]
///
/// Data: by default Medulla's createTestImage3d (the same sphere recipe as
/// MONAI's create_test_image_3d, noise_max 0.1, with Medulla's generator)
/// and a randomly initialised network. bench/make_inference_inputs.py writes
/// MONAI's exact volume and seed-0 UNet state; with --input/--weights the
/// output checksum is comparable with MONAI's (-759963.33).

#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sys/resource.h>

#include "bench/BenchUtil.h"
#include "engine/core/CpuAllocator.h"
#include "engine/core/Threads.h"
#include "engine/data/SyntheticData.h"
#include "engine/inference/SlidingWindowInferer.h"
#include "engine/io/Npy.h"
#include "engine/networks/MemoryFormat.h"
#include "engine/networks/StateDict.h"
#include "engine/networks/UNet.h"

using namespace medulla;

namespace {

using bench::loadavg;
using bench::median;

double cpuSeconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

double round2(double v) {
    return std::round(v * 100) / 100;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Sliding-window inference benchmark"};
    std::vector<int64_t> shape = {256, 256, 128}, roi = {96, 96, 96};
    int swBatch = 4, repeats = 3, threads = 2, seed = 0;
    double overlap = 0.25;
    std::string mode = "constant", layout = "channels-last", allocator = "medulla", input, weights;
    app.add_option("--shape", shape)->expected(3);
    app.add_option("--roi", roi)->expected(3);
    app.add_option("--sw-batch", swBatch);
    app.add_option("--overlap", overlap);
    app.add_option("--mode", mode)->check(CLI::IsMember({"constant", "gaussian"}));
    app.add_option("--repeats", repeats);
    app.add_option("--threads", threads);
    app.add_option("--seed", seed);
    app.add_option("--layout", layout, "activation layout (the trainer's default: channels-last)")
        ->check(CLI::IsMember({"channels-last", "planar"}));
    app.add_option("--allocator", allocator)->check(CLI::IsMember({"medulla", "system"}));
    bool noNetwork = false;
    app.add_flag("--no-network", noNetwork,
                 "the predictor returns a precomputed (n, 2, *roi) tensor: the inferer's own cost");
    app.add_option("--input", input, "volume .npy (1, 1, H, W, D) from make_inference_inputs.py");
    app.add_option("--weights", weights, "UNet state dict .pt from make_inference_inputs.py");
    CLI11_PARSE(app, argc, argv);
    threads = configureThreads(threads);
    if (allocator == "medulla")
        installCpuAllocator();
    torch::manual_seed(uint64_t(seed));

    at::Tensor x;
    if (!input.empty()) {
        x = readNpy(input).to(torch::kFloat);
        while (x.dim() < 5)
            x = x.unsqueeze(0);
    } else {
        RandomGenerator rng{uint64_t(seed)};
        x = createTestImage3d(SyntheticImageOptions()
                                  .height(shape[0])
                                  .width(shape[1])
                                  .depth(shape[2])
                                  .num_objs(12)
                                  .rad_max(30)
                                  .rad_min(10)
                                  .noise_max(0.1)
                                  .num_seg_classes(1),
                              rng)
                .image.data()
                .unsqueeze(0);
    }
    UNet net(UNetOptions()
                 .spatial_dims(3)
                 .in_channels(1)
                 .out_channels(2)
                 .channels({16, 32, 64, 128, 256})
                 .strides({2, 2, 2, 2})
                 .num_res_units(2)
                 .norm("batch"));
    if (!weights.empty())
        loadStateDict(*net, readStateDict(weights));
    net->eval();
    const bool channelsLastLayout = layout == "channels-last";
    if (channelsLastLayout)
        toChannelsLast(*net);

    int calls = 0;
    double inNet = 0; // seconds inside the network in this volume
    const at::Tensor cached = torch::rand({swBatch, 2, roi[0], roi[1], roi[2]});
    const Predictor predictor = [&](const at::Tensor& batch) {
        ++calls;
        const auto start = std::chrono::steady_clock::now();
        at::Tensor y =
            noNetwork ? cached.narrow(0, 0, batch.size(0))
                      : net->forward(channelsLastLayout ? medulla::channelsLast(batch) : batch);
        inNet += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return y;
    };
    const SlidingWindowInferer inferer(
        SlidingWindowInfererOptions().roi_size(roi).sw_batch_size(swBatch).overlap({overlap}).mode(
            mode));
    torch::NoGradGuard noGrad;
    const std::vector<double> loadBefore = loadavg();
    auto t0 = std::chrono::steady_clock::now();
    predictor(torch::zeros({swBatch, 1, roi[0], roi[1], roi[2]}));
    const double warm =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::vector<double> seconds, cpu, stitching;
    at::Tensor out;
    for (int r = 0; r < repeats; ++r) {
        calls = 0;
        inNet = 0;
        const double c0 = cpuSeconds();
        t0 = std::chrono::steady_clock::now();
        out = inferer(x, predictor);
        seconds.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        cpu.push_back(cpuSeconds() - c0);
        stitching.push_back(seconds.back() - inNet);
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::vector<double> all;
    for (double s : seconds)
        all.push_back(round2(s));
    nlohmann::json line = {
        {"bench", "inference"},
        {"impl", "medulla"},
        {"volume_shape", x.sizes().vec()},
        {"data", input.empty() ? "medulla createTestImage3d" : input},
        {"weights", weights.empty() ? "random init" : weights},
        {"roi", roi},
        {"sw_batch_size", swBatch},
        {"overlap", overlap},
        {"mode", mode},
        {"predictor_calls_per_volume", calls},
        {"output_shape", out.defined() ? out.sizes().vec() : std::vector<int64_t>{}},
        {"output_checksum",
         out.defined() ? std::round(out.to(torch::kDouble).sum().item<double>() * 1000) / 1000 : 0},
        {"s_per_volume_median", round2(median(seconds))},
        {"s_per_volume_all", all},
        {"cpu_s_per_volume_median", round2(median(cpu))},
        {"outside_network_s_median", round2(median(stitching))},
        {"warmup_forward_s", round2(warm)},
        {"loadavg_before", loadBefore},
        {"loadavg_after", loadavg()},
        {"peak_rss_mb", std::round(double(ru.ru_maxrss) / 102.4) / 10},
        {"torch_threads", threads},
        {"layout", layout},
        {"allocator", allocator},
        {"seed", seed}};
    std::printf("%s\n", line.dump().c_str());
    return 0;
}
