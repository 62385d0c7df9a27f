/// Multi-process figures on this machine (issue 10): Gloo all-reduce
/// bandwidth between 2 processes over 127.0.0.1, and the step-time scaling
/// of a 3D UNet training step from 1 process to 2 (DistributedDataParallel).
/// Prints one JSON line per measurement on stdout.
///
///   bench_distributed [--sizes 4K,64K,1M,16M,64M] [--reps 20] [--warmup 3]
///                     [--steps 20] [--step-warmup 3] [--patch 64] [--batch 2]
///                     [--nproc 2] [--threads 2] [--bucket-cap-mb 25]
///                     [--skip-allreduce] [--skip-step] [--skip-alone]
///
/// Every measurement runs in fresh copies of this program started like
/// torchrun's workers (WorkerProcesses: RANK, WORLD_SIZE, MASTER_ADDR
/// 127.0.0.1, a free MASTER_PORT, MEDULLA_THREADS = OMP_NUM_THREADS = the
/// intra-op threads of that configuration); each rank writes its figures to
/// a JSON file in a temporary folder and this process prints the lines.
///
/// all-reduce: a float32 tensor of each size, --warmup untimed calls, then
/// --reps calls, each after a barrier; a call's time is the slowest rank's;
/// the median gives algbw = bytes / time and busbw = algbw * 2 (n-1) / n
/// (NCCL-tests' convention). Every result is checked (each element = n).
///
/// step: the spleen UNet (16,32,64,128,256; strides 2; 2 residual units;
/// batch norm) with DiceCELoss (softmax, one-hot target) and Adam 1e-4 on
/// spheres (createTestImage3d), channels-last and Medulla's CPU allocator as
/// the trainer has them; global batch --batch of 1x--patch^3:
///   single: 1 process, --threads intra-op threads, the whole batch;
///   ddp:    --nproc processes, --threads / --nproc threads each, batch /
///           nproc each, DistributedDataParallel::wrap(StepHooks) (buffers
///           broadcast before the forward, bucketed gradient all-reduce
///           overlapping backward);
///   alone:  as ddp, but every process trains its own replica with no
///           communication (threading and sharing the cores, without the
///           all-reduce).
/// A configuration's step time is the slowest rank's median.

#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/resource.h>
#include <thread>

#include "BenchUtil.h"
#include "engine/core/CpuAllocator.h"
#include "engine/core/Threads.h"
#include "engine/data/SyntheticData.h"
#include "engine/distributed/DistributedContext.h"
#include "engine/distributed/DistributedDataParallel.h"
#include "engine/distributed/WorkerProcesses.h"
#include "engine/losses/Loss.h"
#include "engine/networks/MemoryFormat.h"
#include "engine/networks/Network.h"

using namespace medulla;
using nlohmann::json;

namespace {

struct Args {
    std::vector<std::string> sizes{"4K", "64K", "1M", "16M", "64M"};
    int reps = 20, warmup = 3;
    int steps = 20, stepWarmup = 3, patch = 64, batch = 2, nproc = 2, threads = 2, seed = 0;
    double bucketCapMb = 25.0;
    bool skipAllreduce = false, skipStep = false, skipAlone = false;
    std::string role, outDir; ///< set in the worker processes only
};

/// "4K" = 4096 bytes, "16M" = 16 MiB, "1G" = 1 GiB, or plain bytes; a
/// positive multiple of 4 (float32 elements).
int64_t parseBytes(const std::string& s) {
    size_t used = 0;
    const long long v = std::stoll(s, &used);
    int64_t scale = 1;
    const std::string suffix = s.substr(used);
    if (suffix == "K" || suffix == "k")
        scale = 1024;
    else if (suffix == "M" || suffix == "m")
        scale = 1024 * 1024;
    else if (suffix == "G" || suffix == "g")
        scale = 1024 * 1024 * 1024;
    else if (!suffix.empty())
        throw ConfigError("\"" + s + "\": expected bytes with an optional K, M or G", {},
                          "--sizes");
    const int64_t bytes = int64_t(v) * scale;
    if (bytes <= 0 || bytes % 4 != 0)
        throw ConfigError("\"" + s + "\" is not a positive multiple of 4 bytes", {}, "--sizes");
    return bytes;
}

double cpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::string rankFile(const Args& a, int rank) {
    return a.outDir + "/" + a.role + ".rank" + std::to_string(rank) + ".json";
}

std::shared_ptr<DistributedContext> joinGroup(const DistributedEnv& env) {
    return DistributedContext::join(env, DistributedOptions().backend("gloo").timeout_s(120),
                                    torch::kCPU);
}

// ---- worker side ----------------------------------------------------------

/// Rank of the all-reduce measurement: one record per size.
json allreduceRank(const Args& a, const DistributedEnv& env) {
    auto ctx = joinGroup(env);
    json sizes = json::array();
    for (const std::string& s : a.sizes) {
        const int64_t bytes = parseBytes(s);
        at::Tensor t = torch::empty({bytes / 4}, torch::kFloat);
        std::vector<double> seconds;
        for (int k = 0; k < a.warmup + a.reps; ++k) {
            t.fill_(1.0);
            ctx->barrier();
            bench::Stopwatch watch;
            ctx->allReduceSum(t, "timed all-reduce");
            const double dt = watch.seconds();
            if (t[0].item<float>() != float(env.worldSize) ||
                t[-1].item<float>() != float(env.worldSize))
                throw Error("all-reduce of " + s + " gave a wrong sum");
            if (k >= a.warmup)
                seconds.push_back(dt);
        }
        at::Tensor slowest = torch::tensor(seconds, torch::kDouble);
        ctx->allReduceMax(slowest, "gathering the times");
        const double* p = slowest.data_ptr<double>();
        sizes.push_back({{"bytes", bytes}, {"seconds", std::vector<double>(p, p + a.reps)}});
    }
    ctx->barrier(); // rank 0 hosts the store: nobody leaves while others read
    return {{"sizes", sizes}};
}

/// The batch of rank `rank`: samples rank * per .. rank * per + per - 1 of the
/// global batch (spheres, one foreground class).
std::pair<at::Tensor, at::Tensor> rankBatch(const Args& a, int rank, int per) {
    std::vector<at::Tensor> images, labels;
    const int64_t radMax = std::min(20, a.patch / 2 - 1);
    const int64_t radMin = std::min<int64_t>(8, radMax - 1);
    for (int i = rank * per; i < rank * per + per; ++i) {
        RandomGenerator rng(uint64_t(a.seed + i));
        auto pair = createTestImage3d(SyntheticImageOptions()
                                          .height(a.patch)
                                          .width(a.patch)
                                          .depth(a.patch)
                                          .num_objs(6)
                                          .rad_max(radMax)
                                          .rad_min(radMin)
                                          .noise_max(0.2)
                                          .num_seg_classes(1),
                                      rng);
        images.push_back(pair.image.data());
        labels.push_back(pair.label.data());
    }
    return {channelsLast(torch::stack(images)), torch::stack(labels)};
}

/// Rank of a step measurement (role single, ddp or alone).
json stepRank(const Args& a, const DistributedEnv& env) {
    const bool ddpRole = a.role == "ddp";
    std::shared_ptr<DistributedContext> ctx;
    if (env.distributed())
        ctx = joinGroup(env); // "alone" joins only to start and end together
    const int per = a.batch / env.worldSize;
    auto [x, y] = rankBatch(a, env.rank, per);

    torch::manual_seed(uint64_t(a.seed));
    NetworkPtr net = networkRegistry().create(json{{"name", "UNet"},
                                                   {"spatial_dims", 3},
                                                   {"in_channels", 1},
                                                   {"out_channels", 2},
                                                   {"channels", {16, 32, 64, 128, 256}},
                                                   {"strides", {2, 2, 2, 2}},
                                                   {"num_res_units", 2},
                                                   {"norm", "batch"}},
                                              "network");
    toChannelsLast(*net); // as SupervisedTrainer does for 3D on the CPU
    net->train();
    LossPtr loss = lossRegistry().create(
        json{{"name", "DiceCELoss"}, {"to_onehot_y", true}, {"softmax", true}}, "loss");
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-4));

    // the inner autocast hook runs after DDP's buffer broadcast: its start
    // time tells how long that broadcast took
    bench::Stopwatch clock;
    double forwardStart = 0;
    StepHooks inner;
    inner.autocast = [&](const std::function<void()>& body) {
        forwardStart = clock.seconds();
        body();
    };
    std::unique_ptr<DistributedDataParallel> ddp;
    StepHooks hooks = inner;
    if (ddpRole) {
        ddp = std::make_unique<DistributedDataParallel>(
            ctx, *net, GradientReducerOptions().bucket_cap_mb(a.bucketCapMb));
        hooks = ddp->wrap(inner);
    }

    std::vector<double> stepS, broadcastS, exposedS, losses;
    int64_t bytes0 = 0, hookLaunches0 = 0;
    double cpu0 = 0;
    for (int k = 0; k < a.stepWarmup + a.steps; ++k) {
        if (k == a.stepWarmup) {
            if (ctx)
                ctx->barrier(); // timed steps start together
            cpu0 = cpuSeconds();
            if (ddp) {
                bytes0 = ddp->reducer().bytesReduced();
                hookLaunches0 = ddp->reducer().bucketsLaunchedDuringBackward();
            }
        }
        const double exposed0 = ddp ? ddp->reducer().exposedWaitSeconds() : 0.0;
        const double t0 = clock.seconds();
        opt.zero_grad();
        at::Tensor l;
        hooks.autocast([&] { l = (*loss)(net->forward(x), y).mean(); });
        if (hooks.beforeBackward)
            hooks.beforeBackward(true);
        if (hooks.backward)
            hooks.backward(l);
        else
            l.backward();
        opt.step();
        const double lv = l.item<double>();
        const double t1 = clock.seconds();
        if (k >= a.stepWarmup) {
            stepS.push_back(t1 - t0);
            broadcastS.push_back(forwardStart - t0);
            exposedS.push_back(ddp ? ddp->reducer().exposedWaitSeconds() - exposed0 : 0.0);
            losses.push_back(std::round(lv * 1e5) / 1e5);
        }
    }
    const double cpuPerStep = (cpuSeconds() - cpu0) / double(std::max(1, a.steps));
    json r = {{"rank", env.rank}, {"threads", torch::get_num_threads()},
              {"batch", per},     {"median_s", bench::median(stepS)},
              {"all_s", stepS},   {"cpu_s_per_step", cpuPerStep},
              {"losses", losses}, {"peak_rss_mb", bench::peakRssMb()}};
    if (ddp) {
        const GradientReducer& red = ddp->reducer();
        r["grad_bytes_per_step"] = (red.bytesReduced() - bytes0) / std::max(1, a.steps);
        r["buckets"] = red.buckets().size();
        r["buckets_launched_in_backward_per_step"] =
            double(red.bucketsLaunchedDuringBackward() - hookLaunches0) / std::max(1, a.steps);
        r["exposed_wait_median_s"] = bench::median(exposedS);
        r["exposed_wait_all_s"] = exposedS;
        r["buffer_broadcast_median_s"] = bench::median(broadcastS);
        r["buffer_tensors"] = net->buffers().size(); // one broadcast each per step
    }
    if (ctx)
        ctx->barrier();
    return r;
}

int runWorker(const Args& a) {
    const DistributedEnv env = DistributedEnv::fromEnvironment();
    configureThreads(); // MEDULLA_THREADS from the launcher
    installCpuAllocator();
    const json r = a.role == "allreduce" ? allreduceRank(a, env) : stepRank(a, env);
    std::ofstream(rankFile(a, env.rank)) << r.dump() << "\n";
    return 0;
}

// ---- launcher side --------------------------------------------------------

/// Runs `role` in `nproc` fresh processes with `threads` intra-op threads
/// each and returns every rank's record, in rank order.
std::vector<json> runRole(Args a, const std::string& role, int nproc, int threads,
                          const std::vector<std::string>& cli) {
    a.role = role;
    std::vector<std::string> argv = cli;
    argv[0] = "/proc/self/exe";
    argv.insert(argv.end(), {"--role", role, "--out-dir", a.outDir});
    int status = 0;
    {
        WorkerProcesses workers(
            argv,
            LaunchOptions().nproc_per_node(nproc).master_port(0).grace_s(2).threads_per_worker(
                threads));
        status = workers.wait();
    }
    if (status != 0)
        throw Error("bench_distributed: the \"" + role + "\" workers failed (status " +
                    std::to_string(status) + "; their messages are above)");
    std::vector<json> ranks;
    for (int r = 0; r < nproc; ++r) {
        std::ifstream in(rankFile(a, r));
        if (!in)
            throw IoError("missing " + rankFile(a, r));
        ranks.push_back(json::parse(in));
    }
    return ranks;
}

void print(json line) {
    line["loadavg"] = bench::loadavg();
    std::printf("%s\n", line.dump().c_str());
    std::fflush(stdout);
}

/// One "step" line from the ranks of a configuration; returns its step time.
double printStep(const Args& a, const std::string& config, const std::vector<json>& ranks) {
    double slowest = 0;
    for (const json& r : ranks)
        slowest = std::max(slowest, r["median_s"].get<double>());
    const int nproc = int(ranks.size());
    json line = {{"bench", "distributed"},
                 {"measure", "step"},
                 {"config", config},
                 {"network", "UNet 16,32,64,128,256 strides 2 res_units 2 batch norm"},
                 {"loss", "DiceCELoss"},
                 {"optimizer", "Adam 1e-4"},
                 {"patch", {a.patch, a.patch, a.patch}},
                 {"global_batch", a.batch},
                 {"processes", nproc},
                 {"threads_per_process", ranks[0]["threads"]},
                 {"batch_per_process", ranks[0]["batch"]},
                 {"communication", config == "ddp" ? "gloo 127.0.0.1" : "none"},
                 {"steps", a.steps},
                 {"warmup_steps", a.stepWarmup},
                 {"median_s", slowest},
                 {"samples_per_s", double(a.batch) / slowest},
                 {"ranks", ranks}};
    if (config == "ddp") {
        const json& r0 = ranks[0];
        line["grad_bytes_per_step"] = r0["grad_bytes_per_step"];
        line["buckets"] = r0["buckets"];
        line["bucket_cap_mb"] = a.bucketCapMb;
        line["buckets_launched_in_backward_per_step"] = r0["buckets_launched_in_backward_per_step"];
        double exposed = 0, broadcast = 0;
        for (const json& r : ranks) {
            exposed = std::max(exposed, r["exposed_wait_median_s"].get<double>());
            broadcast = std::max(broadcast, r["buffer_broadcast_median_s"].get<double>());
        }
        line["exposed_wait_s_per_step"] = exposed;
        line["buffer_broadcast_s_per_step"] = broadcast;
        line["buffer_tensors"] = r0["buffer_tensors"];
    }
    print(line);
    return slowest;
}

int runBenchmarks(Args a, const std::vector<std::string>& cli) {
    if (a.nproc < 2 || a.batch % a.nproc != 0 || a.threads < 1)
        throw ConfigError("need --nproc >= 2 dividing --batch, --threads >= 1", {}, "--nproc");
    if (a.patch < 16 || a.patch % 16 != 0)
        throw ConfigError("must be a multiple of 16 (four stride-2 levels)", {}, "--patch");
    if (a.reps < 1 || a.warmup < 0 || a.steps < 1 || a.stepWarmup < 0)
        throw ConfigError("--reps and --steps must be >= 1, the warm-ups >= 0", {}, "--reps");
    for (const auto& s : a.sizes)
        parseBytes(s); // fail here, not in the workers
    char tmpl[] = "/tmp/bench_distributed.XXXXXX";
    if (!mkdtemp(tmpl))
        throw IoError("cannot create a folder under /tmp");
    a.outDir = tmpl;
    struct Cleanup {
        std::string dir;
        ~Cleanup() {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    } cleanup{a.outDir};

    if (!a.skipAllreduce) {
        const auto ranks = runRole(a, "allreduce", a.nproc, 1, cli);
        const double n = a.nproc;
        for (const json& s : ranks[0]["sizes"]) {
            const auto seconds = s["seconds"].get<std::vector<double>>();
            const double med = bench::median(seconds);
            const double bytes = s["bytes"].get<double>();
            const double algbw = bytes / med;
            print({{"bench", "distributed"},
                   {"measure", "allreduce"},
                   {"backend", "gloo"},
                   {"transport", "tcp 127.0.0.1"},
                   {"processes", a.nproc},
                   {"threads_per_process", 1},
                   {"dtype", "float32"},
                   {"bytes", s["bytes"]},
                   {"reps", a.reps},
                   {"warmup", a.warmup},
                   {"median_s", med},
                   {"min_s", *std::min_element(seconds.begin(), seconds.end())},
                   {"algbw_bytes_per_s", algbw},
                   {"busbw_bytes_per_s", algbw * 2.0 * (n - 1.0) / n},
                   {"algbw_GBps", algbw / 1e9},
                   {"busbw_GBps", algbw * 2.0 * (n - 1.0) / n / 1e9},
                   {"all_s", seconds}});
        }
    }
    if (!a.skipStep) {
        const int perThreads = std::max(1, a.threads / a.nproc);
        const double single = printStep(a, "single", runRole(a, "single", 1, a.threads, cli));
        const double ddp = printStep(a, "ddp", runRole(a, "ddp", a.nproc, perThreads, cli));
        json summary = {{"bench", "distributed"},
                        {"measure", "step_scaling"},
                        {"single_s", single},
                        {"ddp_s", ddp},
                        {"speedup_ddp", single / ddp}};
        if (!a.skipAlone) {
            const double alone =
                printStep(a, "alone", runRole(a, "alone", a.nproc, perThreads, cli));
            summary["alone_s"] = alone;
            summary["speedup_alone"] = single / alone;
            summary["communication_s_per_step"] = ddp - alone;
        }
        print(summary);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Gloo all-reduce bandwidth and multi-process UNet step scaling"};
    Args a;
    app.add_option("--sizes", a.sizes, "all-reduce message sizes (bytes, K, M, G)")->delimiter(',');
    app.add_option("--reps", a.reps, "timed all-reduces per size");
    app.add_option("--warmup", a.warmup, "untimed all-reduces per size");
    app.add_option("--steps", a.steps, "timed training steps per configuration");
    app.add_option("--step-warmup", a.stepWarmup, "untimed training steps");
    app.add_option("--patch", a.patch, "cubic patch edge (voxels, a multiple of 16)");
    app.add_option("--batch", a.batch, "global batch");
    app.add_option("--nproc", a.nproc, "processes of the multi-process runs");
    app.add_option("--threads", a.threads,
                   "intra-op threads of the single process; the multi-process runs split them");
    app.add_option("--bucket-cap-mb", a.bucketCapMb, "DDP gradient bucket size");
    app.add_option("--seed", a.seed);
    app.add_flag("--skip-allreduce", a.skipAllreduce);
    app.add_flag("--skip-step", a.skipStep);
    app.add_flag("--skip-alone", a.skipAlone, "leave out the no-communication configuration");
    app.add_option("--role", a.role)
        ->group("")
        ->check(CLI::IsMember({"allreduce", "single", "ddp", "alone"}));
    app.add_option("--out-dir", a.outDir)->group("");
    CLI11_PARSE(app, argc, argv);
    try {
        if (!a.role.empty())
            return runWorker(a);
        return runBenchmarks(a, std::vector<std::string>(argv, argv + argc));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_distributed%s: %s\n",
                     a.role.empty() ? "" : (" (" + a.role + ")").c_str(), e.what());
        return 1;
    }
}
