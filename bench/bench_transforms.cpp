/// The spleen tutorial's training chain of shared/bench/monai/bench_transforms.py on the
/// same synthetic cases (bench/BenchData.h):
///   LoadImaged -> EnsureChannelFirstd -> ScaleIntensityRanged(-57, 164, 0, 1, clip)
///   -> CropForegroundd(source_key=image) -> Orientationd(RAS)
///   -> Spacingd(1.5, 1.5, 2.0; bilinear, nearest)        [deterministic prefix]
///   -> RandCropByPosNegLabeld(96^3, pos=1, neg=1, num_samples=4, image_threshold=0)
/// Measures the deterministic prefix (cases/s, `--workers` cases at a time, as a
/// cache fill does) and the cached epoch (copy of the cached item + the random
/// crops, MONAI's CacheDataset epoch; patches are views, collated later as in
/// MONAI). MONAI 1.3.2 on this machine: prefix
/// 1.21 cases/s, cached epoch 37.0 cases/s. Prints one JSON line.
///
///   bench_transforms [--cases 8] [--passes 3] [--threads 2] [--workers 2]

#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "bench/BenchData.h"
#include "engine/core/Threads.h"
#include "engine/transforms/Compose.h"

using namespace medulla;

namespace {

double seconds(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Runs f(i) for i in [0, n) on `workers` threads; returns the wall time.
template <class F> double parallelFor(int n, int workers, F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    for (int w = 0; w < workers; ++w)
        pool.emplace_back([&] {
            for (int i = next++; i < n; i = next++)
                f(i);
        });
    for (auto& t : pool)
        t.join();
    return seconds(t0);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Spleen transform chain benchmark"};
    int cases = 8, passes = 3, threads = 2, workers = 2, epochPasses = 20;
    std::string dir = "/tmp/medulla_bench_nifti";
    app.add_option("--cases", cases);
    app.add_option("--passes", passes);
    app.add_option("--epoch-passes", epochPasses);
    app.add_option("--threads", threads, "intra-op threads");
    app.add_option("--workers", workers, "cases transformed at a time");
    app.add_option("--dir", dir);
    CLI11_PARSE(app, argc, argv);
    threads = configureThreads(threads);
    const auto files = bench::spleenLikeCases(dir, cases);

    Compose full = Compose::fromJson(nlohmann::json::parse(bench::spleenChainJson(4)), "chain");
    full.setRandomState(0);
    const Compose det = full.deterministicPrefix(), rnd = full.randomSuffix();
    auto item = [&](int i) {
        Sample s;
        s.paths["image"] = files[size_t(i)].first;
        s.paths["label"] = files[size_t(i)].second;
        return s;
    };
    (void)det.run(item(0), 0); // warm-up

    std::vector<Sample> cached(static_cast<size_t>(cases));
    std::vector<double> detTimes;
    for (int p = 0; p < passes; ++p)
        detTimes.push_back(parallelFor(cases, workers, [&](int i) {
            cached[size_t(i)] = det.run(item(i), uint64_t(i)).front();
        }));

    std::vector<double> epochTimes;
    size_t patches = 0;
    std::vector<int64_t> patchShape;
    for (int p = 0; p < epochPasses; ++p) {
        std::atomic<size_t> count{0};
        epochTimes.push_back(parallelFor(cases, workers, [&](int i) {
            // As CacheDataset::get: the cached item is shared, not deep-copied
            // (transforms never write into their inputs; MONAI deep-copies).
            auto out = rnd.run(cached[size_t(i)], uint64_t(p) * 1000003ULL + uint64_t(i));
            count += out.size();
            if (i == 0 && p == 0)
                patchShape = out.front().at("image").data().sizes().vec();
        }));
        patches = count;
    }
    // One extra pass, one case at a time, timing each transform (MONAI's breakdown).
    std::vector<double> perTransform(full.transforms().size(), 0.0);
    for (int i = 0; i < cases; ++i) {
        std::vector<Sample> current{item(i)};
        for (size_t t = 0; t < full.transforms().size(); ++t) {
            RandomGenerator rng{static_cast<uint64_t>(i)};
            const auto t0 = std::chrono::steady_clock::now();
            std::vector<Sample> next;
            for (auto& s : current)
                for (auto& p : full.transforms()[t]->applyMany(std::move(s), rng))
                    next.push_back(std::move(p));
            perTransform[t] += seconds(t0) / cases;
            current = std::move(next);
        }
    }
    nlohmann::json breakdown;
    for (size_t t = 0; t < perTransform.size(); ++t)
        breakdown[std::to_string(t) + "_" + full.transforms()[t]->name()] = perTransform[t];
    const double detCps = cases / median(detTimes), epochCps = cases / median(epochTimes);
    nlohmann::json out = {{"bench", "transforms"},
                          {"impl", "medulla"},
                          {"cases", cases},
                          {"threads", threads},
                          {"workers", workers},
                          {"det_prefix_cases_per_s", detCps},
                          {"det_prefix_pass_s", detTimes},
                          {"cached_epoch_cases_per_s", epochCps},
                          {"cached_epoch_median_pass_s", median(epochTimes)},
                          {"patches_per_epoch", patches},
                          {"per_transform_s_per_case", breakdown},
                          {"patch_shape", patchShape},
                          {"shape_after_det_prefix", cached[0].at("image").data().sizes().vec()},
                          {"monai_det_prefix_cases_per_s", 1.21},
                          {"monai_cached_epoch_cases_per_s", 37.0},
                          {"speedup_det_prefix", detCps / 1.21},
                          {"speedup_cached_epoch", epochCps / 37.0}};
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
