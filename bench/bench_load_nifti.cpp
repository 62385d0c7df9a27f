/// Times LoadImaged of an image/label pair as in shared/bench/monai/bench_transforms.py:
/// 256x256x100 int16 "CT" (.nii.gz, spacing 0.8 x 0.8 x 2.5, LPS-style axes) plus a uint8
/// label, written first (not timed), then read back with loadImage() pass after pass.
/// MONAI's LoadImaged needs 0.429 s per case on this machine. Prints one JSON line.
///
///   bench_load_nifti [--cases 8] [--passes 3] [--threads 2] [--dir /tmp/medulla_bench_nifti]

#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "bench/BenchData.h"
#include "engine/core/Threads.h"
#include "engine/io/ImageLoader.h"

using namespace medulla;

int main(int argc, char** argv) {
    CLI::App app{"NIfTI image + label loading benchmark"};
    int cases = 8, passes = 3, threads = 2;
    std::string dir = "/tmp/medulla_bench_nifti";
    app.add_option("--cases", cases);
    app.add_option("--passes", passes);
    app.add_option("--threads", threads);
    app.add_option("--dir", dir);
    CLI11_PARSE(app, argc, argv);
    threads = configureThreads(threads);

    const auto files = bench::spleenLikeCases(dir, cases);
    (void)loadImage(files[0].first); // warm-up
    std::vector<double> perCase;
    for (int p = 0; p < passes; ++p) {
        const auto t0 = std::chrono::steady_clock::now();
        for (const auto& f : files) {
            Volume a = loadImage(f.first);
            Volume b = loadImage(f.second);
            if (a.spatialShape() != b.spatialShape())
                return 1;
        }
        perCase.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / cases);
    }
    std::vector<double> sorted = perCase;
    std::sort(sorted.begin(), sorted.end());
    nlohmann::json out = {{"bench", "load_nifti"},
                          {"impl", "medulla"},
                          {"cases", cases},
                          {"shape", {256, 256, 100}},
                          {"threads", threads},
                          {"s_per_case_median", sorted[sorted.size() / 2]},
                          {"s_per_case_all", perCase},
                          {"monai_loadimaged_s_per_case", 0.429}};
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
