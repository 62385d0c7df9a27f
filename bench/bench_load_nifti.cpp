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

#include "engine/core/Threads.h"
#include "engine/data/SyntheticData.h"
#include "engine/io/ImageLoader.h"
#include "engine/io/NiftiIO.h"

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
    std::filesystem::create_directories(dir);

    const Affine affine({{{-0.8, 0, 0, 0}, {0, -0.8, 0, 0}, {0, 0, 2.5, 0}, {0, 0, 0, 1}}});
    std::vector<std::pair<std::string, std::string>> files;
    for (int i = 0; i < cases; ++i) {
        const std::string img = dir + "/img_" + std::to_string(i) + ".nii.gz";
        const std::string lbl = dir + "/lbl_" + std::to_string(i) + ".nii.gz";
        files.emplace_back(img, lbl);
        if (std::filesystem::exists(img) && std::filesystem::exists(lbl))
            continue;
        RandomGenerator rng{uint64_t(i)};
        auto pair = createTestImage3d(SyntheticImageOptions()
                                          .height(256)
                                          .width(256)
                                          .depth(100)
                                          .num_objs(12)
                                          .rad_max(30)
                                          .rad_min(10)
                                          .noise_max(0.1)
                                          .num_seg_classes(1),
                                      rng);
        auto x = torch::arange(256, torch::kFloat).view({-1, 1, 1});
        auto y = torch::arange(256, torch::kFloat).view({1, -1, 1});
        at::Tensor body =
            ((x - 128) / (0.45 * 256)).square() + ((y - 128) / (0.40 * 256)).square() <= 1;
        body = body.expand({256, 256, 100}).unsqueeze(0);
        at::Tensor image =
            torch::where(body, (pair.image.data() * 400 - 20).round(), torch::full({1}, -1000.0f));
        at::Tensor label = (pair.label.data() > 0).logical_and(body);
        writeNifti(Volume(image.to(torch::kShort), affine), img);
        writeNifti(Volume(label.to(torch::kByte), affine), lbl);
    }
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
