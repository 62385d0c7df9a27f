/// Times LibTorch's transposed convolution (at::convolution(transposed=true),
/// which on CPU in 1.13 runs slow_conv_transpose3d: im2col + gemm) against
/// medulla::convTranspose's regular-convolution methods ("phases": one
/// convolution per output phase; "fused": one convolution for all) on the
/// spleen UNet's decoder up-convolutions: batch 2, k3 s2 p1 op1, fp32. Each
/// variant is run in contiguous (NCDHW) and channels-last (NDHWC) input
/// layout. Prints one JSON line per shape and layout with, per method, the
/// median ms of a forward pass and of forward + backward (input, weight and
/// bias gradients), the largest difference from the reference output and
/// the ATen convolution kernels it ran (oneDNN shows as mkldnn_convolution).
/// The *_cpu_ms figures are process CPU time: with --threads 1 they hardly
/// depend on other load, unlike wall time on a 2-core machine.
///
///   bench_conv_transpose [--reps 5] [--warmup 1] [--threads 2] [--batch 2] [--patch 96]
///                        [--mkldnn 1]

#include <ATen/ATen.h>
#include <ATen/record_function.h>
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <time.h>

#include "engine/core/Threads.h"
#include "engine/networks/FastConvTranspose.h"

using namespace medulla;

namespace {

std::mutex opsMutex;
std::set<std::string> opsSeen;

std::unique_ptr<at::ObserverContext> recordOp(const at::RecordFunction& fn) {
    const char* name = fn.name();
    if (name && (std::strstr(name, "conv") || std::strstr(name, "Conv"))) {
        std::lock_guard<std::mutex> lock(opsMutex);
        opsSeen.insert(name);
    }
    return nullptr;
}

/// CPU time of the whole process (all threads), ms: with --threads 1 a
/// figure that other load on the machine disturbs little.
double cpuMs() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

struct Shape {
    int64_t cin, cout, size;
};

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"transposed-convolution benchmark"};
    int reps = 5, warmup = 1, threads = 2, batch = 2, patch = 96, mkldnn = 1;
    app.add_option("--reps", reps);
    app.add_option("--warmup", warmup);
    app.add_option("--threads", threads);
    app.add_option("--batch", batch);
    app.add_option("--patch", patch);
    app.add_option("--mkldnn", mkldnn, "0: regular convolutions without oneDNN (slow_conv3d)");
    CLI11_PARSE(app, argc, argv);
    threads = configureThreads(threads);
    at::globalContext().setUserEnabledMkldnn(mkldnn != 0);
    torch::manual_seed(0);

    // UNet(channels 16,32,64,128,256; strides 2,2,2,2) on patch^3: the up
    // layer of level l takes cat(down_l, inner) and halves nothing but space.
    const int64_t p = patch;
    const std::vector<Shape> shapes = {
        {128 + 256, 64, p / 16}, {64 + 64, 32, p / 8}, {32 + 32, 16, p / 4}, {16 + 16, 2, p / 2}};
    const std::vector<int64_t> stride = {2, 2, 2}, padding = {1, 1, 1}, outPad = {1, 1, 1},
                               dilation = {1, 1, 1};

    for (const Shape& sh : shapes)
        for (bool channelsLast : {false, true}) {
            at::Tensor x0 = torch::randn({batch, sh.cin, sh.size, sh.size, sh.size});
            if (channelsLast)
                x0 = x0.contiguous(at::MemoryFormat::ChannelsLast3d);
            at::Tensor w = (torch::randn({sh.cin, sh.cout, 3, 3, 3}) * 0.05).requires_grad_(true);
            at::Tensor b = torch::randn({sh.cout}).requires_grad_(true);
            nlohmann::json line = {{"bench", "conv_transpose"},
                                   {"cin", sh.cin},
                                   {"cout", sh.cout},
                                   {"input", {batch, sh.cin, sh.size, sh.size, sh.size}},
                                   {"kernel", 3},
                                   {"stride", 2},
                                   {"layout", channelsLast ? "channels_last_3d" : "contiguous"},
                                   {"threads", threads},
                                   {"mkldnn_available", at::hasMKLDNN()},
                                   {"mkldnn_enabled", at::globalContext().userEnabledMkldnn()}};
            // The variants take turns in every repetition, so that other load
            // on the machine hits them alike.
            const std::vector<std::pair<const char*, ConvTransposeMethod>> variants = {
                {"reference", ConvTransposeMethod::ATen},
                {"phases", ConvTransposeMethod::Phases},
                {"fused", ConvTransposeMethod::FusedPhases}};
            auto forward = [&](const at::Tensor& x, ConvTransposeMethod method) {
                return convTranspose(x, w, b, stride, padding, outPad, dilation, 1, method);
            };
            std::vector<std::vector<double>> fwd(variants.size()), both(variants.size()),
                fwdCpu(variants.size()), bothCpu(variants.size());
            std::vector<at::Tensor> outs(variants.size());
            for (int k = 0; k < warmup + reps; ++k)
                for (size_t v = 0; v < variants.size(); ++v) {
                    at::Tensor x = x0.detach().requires_grad_(true);
                    w.mutable_grad() = at::Tensor();
                    b.mutable_grad() = at::Tensor();
                    const double c0 = cpuMs();
                    const auto t0 = std::chrono::steady_clock::now();
                    at::Tensor y = forward(x, variants[v].second);
                    const auto t1 = std::chrono::steady_clock::now();
                    const double c1 = cpuMs();
                    y.backward(torch::ones_like(y));
                    const auto t2 = std::chrono::steady_clock::now();
                    const double c2 = cpuMs();
                    if (k >= warmup) {
                        fwdCpu[v].push_back(c1 - c0);
                        bothCpu[v].push_back(c2 - c0);
                        fwd[v].push_back(
                            std::chrono::duration<double, std::milli>(t1 - t0).count());
                        both[v].push_back(
                            std::chrono::duration<double, std::milli>(t2 - t0).count());
                    }
                    if (k == 0)
                        outs[v] = y.detach();
                }
            for (size_t v = 0; v < variants.size(); ++v) {
                opsSeen.clear();
                auto handle = at::addGlobalCallback(at::RecordFunctionCallback(recordOp));
                {
                    at::Tensor x = x0.detach().requires_grad_(true);
                    at::Tensor y = forward(x, variants[v].second);
                    y.backward(torch::ones_like(y));
                }
                at::removeCallback(handle);
                line[variants[v].first] = {
                    {"forward_ms", median(fwd[v])},
                    {"forward_backward_ms", median(both[v])},
                    {"forward_cpu_ms", median(fwdCpu[v])},
                    {"forward_backward_cpu_ms", median(bothCpu[v])},
                    {"forward_all_ms", fwd[v]},
                    {"forward_backward_all_ms", both[v]},
                    {"max_abs_diff", (outs[v] - outs[0]).abs().max().item<double>()},
                    {"ops", std::vector<std::string>(opsSeen.begin(), opsSeen.end())}};
            }
            std::printf("%s\n", line.dump().c_str());
            std::fflush(stdout);
        }
    return 0;
}
