/// GPU checks, one JSON line each (bench/gpu/run_gpu_bench.sh builds and runs
/// it on a machine with an NVIDIA GPU and a pip PyTorch; bench/README.md):
///
///   unet_amp     the spleen UNet training step (MONAI's tutorial config:
///                UNet(3, 1, 2, (16,32,64,128,256), (2,2,2,2), num_res_units=2,
///                norm=batch), DiceLoss(to_onehot_y, softmax), Adam 1e-4,
///                batch 2 x 1x96^3) in fp32 and with AMP (Autocast fp16 +
///                GradScaler): step time, peak GPU memory of the caching
///                allocator, losses.
///   kernels      kernels/cuda against their CPU versions on the same input:
///                resample (affine, linear), Gaussian filter, connected
///                components, Euclidean distance transform: times and
///                the largest difference.
///   fast_training time to a validation Dice of 0.9 for MONAI's plain and
///                fast recipes (FastTrainingCheck.h): seconds, epochs and
///                the speed-up; --ft-cases, --ft-volume, --ft-max-epochs,
///                --ft-target (the crops are --patch).
///   distributed  2-process NCCL equivalence: skipped, no distributed engine
///                yet.
///
///   bench_gpu [--checks unet_amp,kernels,fast_training,distributed] [--steps 20] [--warmup 3]
///             [--batch 2] [--patch 96] [--device 0] [--seed 0] [--threads N]
///             [--volume 256,256,128] [--repeats 5] [--cudnn-benchmark]
///             [--cpu-dry-run]
///
/// --cpu-dry-run runs every check on the CPU instead (AMP = CPU bf16
/// autocast with the GradScaler's CPU path, kernels CPU against CPU): a
/// test of this program on a machine without a GPU, not a benchmark.
/// Without a CUDA device (or with a CPU-only LibTorch, as on the CI machines)
/// each check prints a "skipped" line and the program exits 0.

#include <ATen/CPUGeneratorImpl.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#ifdef MEDULLA_TORCH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/BenchUtil.h"
#include "bench/gpu/FastTrainingCheck.h"
#include "engine/core/Threads.h"
#include "engine/losses/DiceLoss.h"
#include "engine/networks/UNet.h"
#include "engine/training/Autocast.h"
#include "engine/training/GradScaler.h"
#include "kernels/cpu/ConnectedComponents.h"
#include "kernels/cpu/DistanceTransform.h"
#include "kernels/cpu/GaussianFilter.h"
#include "kernels/cpu/Resample.h"

using namespace medulla;
using Json = nlohmann::json;

namespace {

struct Args {
    std::set<std::string> checks{"unet_amp", "kernels", "fast_training", "distributed"};
    bench::FastTrainingSettings fastTraining;
    int steps = 20, warmup = 3, batch = 2, patch = 96, device = 0, repeats = 5, threads = 0;
    uint64_t seed = 0;
    std::vector<int64_t> volume{256, 256, 128};
    bool cudnnBenchmark = false;
    bool cpuDryRun = false; ///< run the checks on the CPU (tests the program, times nothing useful)
};

/// Where the checks run: the CUDA device, or the CPU for --cpu-dry-run.
at::Device target(const Args& a) {
    return a.cpuDryRun ? at::Device(at::kCPU) : at::Device(at::kCUDA, c10::DeviceIndex(a.device));
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

Args parseArgs(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                throw std::invalid_argument(k + ": needs a value");
            return argv[++i];
        };
        if (k == "--checks") {
            a.checks.clear();
            for (const auto& c : split(value()))
                a.checks.insert(c);
        } else if (k == "--steps") {
            a.steps = std::stoi(value());
        } else if (k == "--warmup") {
            a.warmup = std::stoi(value());
        } else if (k == "--batch") {
            a.batch = std::stoi(value());
        } else if (k == "--patch") {
            a.patch = std::stoi(value());
        } else if (k == "--device") {
            a.device = std::stoi(value());
        } else if (k == "--repeats") {
            a.repeats = std::stoi(value());
        } else if (k == "--threads") {
            a.threads = std::stoi(value());
        } else if (k == "--seed") {
            a.seed = std::stoull(value());
        } else if (k == "--volume") {
            a.volume.clear();
            for (const auto& v : split(value()))
                a.volume.push_back(std::stoll(v));
            if (a.volume.size() != 3)
                throw std::invalid_argument("--volume: three sizes X,Y,Z");
        } else if (k == "--ft-cases") {
            a.fastTraining.cases = std::stoi(value());
        } else if (k == "--ft-volume") {
            a.fastTraining.volume = std::stoi(value());
        } else if (k == "--ft-max-epochs") {
            a.fastTraining.maxEpochs = std::stoi(value());
        } else if (k == "--ft-target") {
            a.fastTraining.target = std::stod(value());
        } else if (k == "--cudnn-benchmark") {
            a.cudnnBenchmark = true;
        } else if (k == "--cpu-dry-run") {
            a.cpuDryRun = true;
        } else {
            throw std::invalid_argument("unknown option " + k + " (see the top of bench_gpu.cpp)");
        }
    }
    if (a.steps < 1 || a.warmup < 0 || a.batch < 1 || a.patch < 16 || a.patch % 16 != 0 ||
        a.repeats < 1)
        throw std::invalid_argument("need --steps >= 1, --warmup >= 0, --batch >= 1, --patch a "
                                    "multiple of 16, --repeats >= 1");
    a.fastTraining.patch = a.patch;
    a.fastTraining.seed = a.seed;
    if (a.fastTraining.cases < 3 || a.fastTraining.volume % 16 != 0 ||
        a.fastTraining.volume < a.patch || a.fastTraining.maxEpochs < 1)
        throw std::invalid_argument("need --ft-cases >= 3, --ft-volume a multiple of 16 and >= "
                                    "--patch, --ft-max-epochs >= 1");
    return a;
}

void emit(const Json& line) {
    std::printf("%s\n", line.dump().c_str());
    std::fflush(stdout);
}

void synchronize() {
    if (torch::cuda::is_available())
        torch::cuda::synchronize();
}

using bench::median;

/// Milliseconds of fn() (device work included), median of `repeats` after
/// one warm-up call.
double timeMs(const std::function<void()>& fn, int repeats) {
    const auto synced = [&] {
        fn();
        synchronize();
    };
    return 1000.0 * median(bench::timeRepeats(synced, repeats, 1));
}

/// Caching-allocator figures of `device` in MiB (null without CUDA headers).
Json memoryStats(int device) {
#ifdef MEDULLA_TORCH_CUDA
    // Index 0 of every StatArray is StatType::AGGREGATE in all LibTorch versions.
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device);
    const double mib = 1024.0 * 1024.0;
    return {{"peak_allocated_mb", double(stats.allocated_bytes[0].peak) / mib},
            {"peak_reserved_mb", double(stats.reserved_bytes[0].peak) / mib}};
#else
    (void)device;
    return nullptr;
#endif
}

void resetMemoryStats(int device) {
#ifdef MEDULLA_TORCH_CUDA
    c10::cuda::CUDACachingAllocator::emptyCache();
    c10::cuda::CUDACachingAllocator::resetPeakStats(device);
#else
    (void)device;
#endif
}

Json environment(const Args& a) {
    Json env = {{"torch", TORCH_VERSION},
                {"cuda_devices", torch::cuda::device_count()},
                {"cpu_threads", at::get_num_threads()},
                {"cudnn_benchmark", a.cudnnBenchmark}};
#ifdef MEDULLA_TORCH_CUDA
    if (torch::cuda::is_available()) {
        const auto* p = at::cuda::getDeviceProperties(a.device);
        env["gpu"] = p->name;
        env["gpu_memory_mb"] = double(p->totalGlobalMem) / (1024.0 * 1024.0);
        env["compute_capability"] = std::to_string(p->major) + "." + std::to_string(p->minor);
    }
#endif
#ifdef MEDULLA_HAVE_CUDA_KERNELS
    env["cuda_kernels"] = true;
#else
    env["cuda_kernels"] = false;
#endif
    return env;
}

/// `batch` synthetic (image, label) patches on the CPU: 6 random spheres
/// (radius 8-20 voxels) per patch, image = label + uniform noise in
/// [0, 0.2], scaled to [0, 1].
std::pair<at::Tensor, at::Tensor> spheres(int batch, int patch, uint64_t seed) {
    at::Generator gen = at::detail::createCPUGenerator(seed);
    const auto f32 = at::TensorOptions().dtype(at::kFloat);
    at::Tensor r = at::arange(patch, f32);
    at::Tensor gx = r.view({-1, 1, 1}), gy = r.view({1, -1, 1}), gz = r.view({1, 1, -1});
    std::vector<at::Tensor> images, labels;
    const int64_t radMax = std::min(20, patch / 2 - 1), radMin = std::min<int64_t>(8, radMax - 1);
    for (int b = 0; b < batch; ++b) {
        at::Tensor label = at::zeros({patch, patch, patch}, f32);
        for (int k = 0; k < 6; ++k) {
            at::Tensor rad = at::randint(radMin, radMax, {1}, gen, at::kLong);
            const int64_t rv = rad.item<int64_t>();
            at::Tensor c = at::randint(rv, patch - rv, {3}, gen, at::kLong);
            at::Tensor d2 = (gx - c[0].item<int64_t>()).pow(2) +
                            (gy - c[1].item<int64_t>()).pow(2) + (gz - c[2].item<int64_t>()).pow(2);
            label = at::maximum(label, (d2 <= double(rv * rv)).to(at::kFloat));
        }
        at::Tensor image = label + 0.2 * at::rand({patch, patch, patch}, gen, f32);
        image = (image - image.min()) / (image.max() - image.min());
        images.push_back(image.unsqueeze(0));
        labels.push_back(label.unsqueeze(0));
    }
    return {at::stack(images), at::stack(labels)};
}

/// One training mode of the spleen UNet: fp32 or AMP.
Json unetMode(const Args& a, bool amp, const at::Tensor& xCpu, const at::Tensor& yCpu) {
    const at::Device device = target(a);
    if (device.is_cuda())
        resetMemoryStats(a.device);
    Json out;
    {
        torch::manual_seed(a.seed);
        UNet net = bench::spleenUnet();
        net->to(device);
        net->train();
        DiceLoss lossFn(DiceLossOptions().to_onehot_y(true).softmax(true));
        torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-4));
        GradScaler scaler(GradScalerOptions().enabled(amp));
        const at::Tensor x = xCpu.to(device), y = yCpu.to(device);
        std::vector<double> ms, losses;
        std::string outDtype;
        for (int k = 0; k < a.warmup + a.steps; ++k) {
            synchronize();
            const auto t0 = std::chrono::steady_clock::now();
            opt.zero_grad();
            at::Tensor loss;
            {
                std::optional<Autocast> autocast;
                if (amp)
                    autocast.emplace(device.type());
                at::Tensor logits = net->forward(x);
                outDtype = c10::toString(logits.scalar_type());
                loss = lossFn(logits, y);
            }
            scaler.scale(loss).backward();
            scaler.step(opt);
            scaler.update();
            const double lv = loss.item<double>();
            synchronize();
            const double dt =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
            losses.push_back(std::round(lv * 1e5) / 1e5);
            if (k >= a.warmup)
                ms.push_back(dt);
        }
        std::vector<double> sorted = ms;
        std::sort(sorted.begin(), sorted.end());
        out = {{"median_ms", median(ms)},
               {"min_ms", sorted.front()},
               {"max_ms", sorted.back()},
               {"output_dtype", outDtype},
               {"losses", losses},
               {"memory", device.is_cuda() ? memoryStats(a.device) : Json()}};
        if (amp)
            out["scaler"] = {{"final_scale", scaler.getScale()},
                             {"steps_skipped", scaler.stepsSkipped()}};
    }
    return out;
}

void checkUnet(const Args& a) {
    auto [x, y] = spheres(a.batch, a.patch, a.seed);
    Json fp32 = unetMode(a, false, x, y);
    Json amp = unetMode(a, true, x, y);
    const auto& lf = fp32["losses"];
    const auto& la = amp["losses"];
    double maxDiff = 0;
    for (size_t i = 0; i < std::min(lf.size(), la.size()); ++i)
        maxDiff = std::max(maxDiff, std::abs(lf[i].get<double>() - la[i].get<double>()));
    Json line = {
        {"bench", "gpu"},
        {"check", "unet_amp"},
        {"batch", a.batch},
        {"patch", {a.patch, a.patch, a.patch}},
        {"steps", a.steps},
        {"warmup_steps", a.warmup},
        {"fp32", fp32},
        {"amp", amp},
        {"amp_speedup", amp["median_ms"].get<double>() > 0
                            ? fp32["median_ms"].get<double>() / amp["median_ms"].get<double>()
                            : 0.0},
        {"loss_max_abs_diff_fp32_vs_amp", maxDiff}};
    if (fp32["memory"].is_object() && amp["memory"].is_object())
        line["amp_memory_ratio"] = amp["memory"]["peak_allocated_mb"].get<double>() /
                                   fp32["memory"]["peak_allocated_mb"].get<double>();
    emit(line);
}

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
    at::Tensor d = (a.cpu().to(at::kDouble) - b.cpu().to(at::kDouble)).abs();
    // inf - inf (both unreached) is NaN: count equal infinities as equal.
    d = at::where(a.cpu().to(at::kDouble) == b.cpu().to(at::kDouble), at::zeros_like(d), d);
    return d.numel() ? d.max().item<double>() : 0.0;
}

Json kernelLine(const std::string& name, const std::function<at::Tensor(const at::Tensor&)>& fn,
                const at::Tensor& inputCpu, int repeats, const at::Device& device) {
    at::Tensor cpuOut, cudaOut;
    const at::Tensor inputCuda = inputCpu.to(device);
    const double cpuMs = timeMs([&] { cpuOut = fn(inputCpu); }, std::max(1, repeats / 2));
    const double cudaMs = timeMs([&] { cudaOut = fn(inputCuda); }, repeats);
    return {{"kernel", name},
            {"cpu_ms", cpuMs},
            {"cuda_ms", cudaMs},
            {"speedup", cudaMs > 0 ? cpuMs / cudaMs : 0.0},
            {"max_abs_diff", maxAbsDiff(cpuOut, cudaOut)}};
}

void checkKernels(const Args& a) {
    Json line = {{"bench", "gpu"}, {"check", "kernels"}, {"volume", a.volume}};
#ifndef MEDULLA_HAVE_CUDA_KERNELS
    if (!a.cpuDryRun) {
        line["skipped"] = "built without the CUDA kernels (nvcc not found at configure time)";
        emit(line);
        return;
    }
#endif
    const at::Device device = target(a);
    at::Generator gen = at::detail::createCPUGenerator(a.seed);
    const int64_t X = a.volume[0], Y = a.volume[1], Z = a.volume[2];
    const at::Tensor image = at::rand({1, X, Y, Z}, gen, at::TensorOptions().dtype(at::kFloat));
    // A blobby mask with many components: smoothed noise above a threshold.
    const at::Tensor smooth = kernels::gaussianFilter(image, {2.0});
    const at::Tensor mask = (smooth > smooth.mean() + smooth.std()).to(at::kByte)[0];

    // A rotation about z by 10 degrees and a 0.9 zoom about the centre.
    const double c = std::cos(0.1745), s = std::sin(0.1745), k = 0.9;
    const double cx = (X - 1) / 2.0, cy = (Y - 1) / 2.0;
    const std::vector<double> indexMap = {k * c, -k * s, 0, cx - k * (c * cx - s * cy),
                                          k * s, k * c,  0, cy - k * (s * cx + c * cy),
                                          0,     0,      1, 0,
                                          0,     0,      0, 1};
    kernels::ResampleOptions linear;
    linear.interp = kernels::Interp::Linear;
    linear.padding = kernels::Padding::Zeros;

    Json results = Json::array();
    results.push_back(kernelLine(
        "resample_affine_linear",
        [&](const at::Tensor& t) {
            return kernels::resampleAffine(t, {X, Y, Z}, indexMap, linear);
        },
        image, a.repeats, device));
    results.push_back(kernelLine(
        "gaussian_filter_sigma2",
        [](const at::Tensor& t) { return kernels::gaussianFilter(t, {2.0}); }, image, a.repeats,
        device));
    int64_t cpuCount = -1, cudaCount = -1;
    results.push_back(kernelLine(
        "connected_components_26",
        [&](const at::Tensor& t) {
            kernels::Components cc = kernels::connectedComponents(t, 3);
            (t.is_cuda() ? cudaCount : cpuCount) = cc.count();
            return cc.labels;
        },
        mask, a.repeats, device));
    results.back()["components_cpu"] = cpuCount;
    results.back()["components_cuda"] = cudaCount;
    results.push_back(kernelLine(
        "distance_transform_edt",
        [](const at::Tensor& t) {
            return kernels::distanceTransformEdt(t, {1.0, 1.0, 2.5});
        },
        mask, a.repeats, device));
    line["cpu_threads"] = at::get_num_threads();
    line["results"] = results;
    emit(line);
}

void checkFastTraining(const Args& a) {
    auto [volumes, labels] = spheres(a.fastTraining.cases, a.fastTraining.volume, a.seed);
    Json out = bench::fastTrainingCheck(target(a), volumes, labels, a.fastTraining);
    out["bench"] = "gpu";
    out["check"] = "fast_training";
    emit(out);
}

void checkDistributed(const Args& a) {
    emit({{"bench", "gpu"},
          {"check", "distributed"},
          {"cuda_devices", torch::cuda::device_count()},
          {"skipped", "no distributed engine yet (engine/distributed does not exist)"}});
}

} // namespace

int main(int argc, char** argv) {
    Args a;
    try {
        a = parseArgs(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_gpu: %s\n", e.what());
        return 2;
    }
    configureThreads(a.threads); // 0: MEDULLA_THREADS or every hardware thread
    Json env = environment(a);
    if (a.cpuDryRun)
        env["cpu_dry_run"] = true; // figures below are CPU ones: a test of the program only
    emit({{"bench", "gpu"}, {"check", "environment"}, {"env", env}});
    const bool cuda =
        a.cpuDryRun || (torch::cuda::is_available() && a.device < torch::cuda::device_count());
    const char* why = "no CUDA device (CPU-only LibTorch, no GPU, or --device out of range)";
    at::globalContext().setBenchmarkCuDNN(a.cudnnBenchmark);
    int failures = 0;
    for (const char* check : {"unet_amp", "kernels", "fast_training", "distributed"}) {
        if (!a.checks.count(check))
            continue;
        if (!cuda && std::string(check) != "distributed") {
            emit({{"bench", "gpu"}, {"check", check}, {"skipped", why}});
            continue;
        }
        try {
            if (std::string(check) == "unet_amp")
                checkUnet(a);
            else if (std::string(check) == "kernels")
                checkKernels(a);
            else if (std::string(check) == "fast_training")
                checkFastTraining(a);
            else
                checkDistributed(a);
        } catch (const c10::Error& e) {
            ++failures;
            emit({{"bench", "gpu"}, {"check", check}, {"error", e.what_without_backtrace()}});
        } catch (const std::exception& e) {
            ++failures;
            emit({{"bench", "gpu"}, {"check", check}, {"error", e.what()}});
        }
    }
    return failures ? 1 : 0;
}
