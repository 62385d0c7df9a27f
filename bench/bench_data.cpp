/// Datasets and loader on the spleen-like workload of
/// shared/bench/monai/bench_transforms.py (bench/BenchData.h: 256x256x100
/// int16 CT + uint8 label, the spleen tutorial's chain, 96^3 crops).
///
/// --mode cache: fills a CacheDataset (the deterministic prefix, `--workers`
///   threads) and reports cases/s, the cache's bytes and the process's peak
///   RSS. MONAI 1.3.2 here: CacheDataset(cache_rate=1, num_workers=1) build
///   1.60 cases/s, peak RSS 956 MB (its whole transforms benchmark).
/// --mode epoch: one training epoch of the demo UNet (resources/
///   demo_experiment.json: 8,16,32,64; strides 2; 2 residual units) with
///   DiceLoss and Adam, fed by the real pipeline (CacheDataset + DataLoader
///   with `--loader-workers` threads building the crops and batches), against
///   the same steps on batches prepared beforehand (preloaded tensors).
///   The ratio real / preloaded is the cost of data loading not hidden
///   behind compute (goal <= 1.05).
///
///   bench_data --mode cache|epoch [--cases 8] [--workers 2] [--threads 2]
///              [--batch 2] [--samples 4] [--loader-workers 1] [--epochs 2]

#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sys/resource.h>

#include "bench/BenchData.h"
#include "bench/BenchUtil.h"
#include "engine/core/Threads.h"
#include "engine/data/CacheDataset.h"
#include "engine/data/DataLoader.h"
#include "engine/losses/DiceLoss.h"
#include "engine/networks/UNet.h"

using namespace medulla;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

using bench::median;
using bench::peakRssMb;

struct StepRunner {
    UNet net{UNetOptions()
                 .spatial_dims(3)
                 .in_channels(1)
                 .out_channels(2)
                 .channels({8, 16, 32, 64})
                 .strides({2, 2, 2})
                 .num_res_units(2)
                 .norm("batch")};
    DiceLoss loss{DiceLossOptions().to_onehot_y(true).softmax(true)};
    torch::optim::Adam opt{net->parameters(), torch::optim::AdamOptions(1e-4)};
    double step(const Batch& b) {
        opt.zero_grad();
        at::Tensor l = loss(net->forward(b["image"]), b["label"].to(torch::kFloat));
        l.backward();
        opt.step();
        return l.item<double>();
    }
};

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Dataset and loader benchmark"};
    std::string mode = "cache", dir = "/tmp/medulla_bench_nifti";
    int cases = 8, workers = 2, threads = 2, batch = 2, samples = 4, loaderWorkers = 1, epochs = 2;
    app.add_option("--mode", mode)->check(CLI::IsMember({"cache", "epoch"}));
    app.add_option("--cases", cases);
    app.add_option("--workers", workers, "threads filling the cache");
    app.add_option("--threads", threads, "intra-op threads");
    app.add_option("--batch", batch, "cases per batch");
    app.add_option("--samples", samples, "crops per case");
    app.add_option("--loader-workers", loaderWorkers);
    app.add_option("--epochs", epochs);
    app.add_option("--dir", dir);
    CLI11_PARSE(app, argc, argv);
    threads = configureThreads(threads);
    const auto files = bench::spleenLikeCases(dir, cases); // written once, not timed
    const double rssBefore = peakRssMb();

    std::vector<Sample> items;
    for (const auto& f : files) {
        Sample s;
        s.paths["image"] = f.first;
        s.paths["label"] = f.second;
        items.push_back(s);
    }
    Compose chain =
        Compose::fromJson(nlohmann::json::parse(bench::spleenChainJson(samples)), "chain");
    chain.setRandomState(0);
    NullProgress quiet;
    // warm-up, as MONAI's figure was taken after its other passes over the data
    (void)chain.deterministicPrefix().run(items.front(), 0);
    const auto t0 = Clock::now();
    CacheDataset ds(items, chain, CacheDatasetOptions().num_workers(workers), quiet);
    const double fill = since(t0);
    nlohmann::json out = {{"bench", "data"},
                          {"impl", "medulla"},
                          {"mode", mode},
                          {"cases", cases},
                          {"threads", threads},
                          {"fill_workers", workers},
                          {"cache_fill_s", fill},
                          {"cache_fill_cases_per_s", cases / fill},
                          {"monai_cache_fill_cases_per_s", 1.60},
                          {"speedup_cache_fill", cases / fill / 1.60},
                          {"cache_bytes", ds.memoryBytes()},
                          {"cached_shape", ds.cached(0).at("image").data().sizes().vec()},
                          {"peak_rss_mb_after_fill", peakRssMb()},
                          {"peak_rss_mb_before_fill", rssBefore},
                          {"monai_peak_rss_mb", 956}};
    if (mode == "epoch") {
        StepRunner trainer;
        trainer.net->train();
        std::vector<double> real, preloaded, dataOnly;
        const auto options = DataLoaderOptions().batch_size(batch).shuffle(true).seed(1);
        for (int e = 0; e < epochs + 1; ++e) { // epoch 0 warms up
            // the same epoch's batches, built beforehand
            DataLoader pre(ds, options);
            pre.startEpoch(e);
            std::vector<Batch> batches;
            const auto tData = Clock::now();
            while (auto b = pre.next())
                batches.push_back(std::move(*b));
            const double data = since(tData);
            auto t1 = Clock::now();
            for (const auto& b : batches)
                trainer.step(b);
            const double tPre = since(t1);
            // the real pipeline: workers build the next batches during the steps
            DataLoader loader(ds, DataLoaderOptions(options).num_workers(loaderWorkers));
            t1 = Clock::now();
            loader.startEpoch(e);
            while (auto b = loader.next())
                trainer.step(*b);
            const double tReal = since(t1);
            if (e > 0) {
                preloaded.push_back(tPre);
                real.push_back(tReal);
                dataOnly.push_back(data);
            }
        }
        out["epoch"] = {{"batches", DataLoader(ds, options).batchesPerEpoch()},
                        {"patches_per_batch", batch * samples},
                        {"loader_workers", loaderWorkers},
                        {"real_pipeline_s", real},
                        {"preloaded_s", preloaded},
                        {"data_alone_s", dataOnly},
                        {"ratio_real_over_preloaded", median(real) / median(preloaded)}};
        out["peak_rss_mb"] = peakRssMb();
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
