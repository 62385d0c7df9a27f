#include "engine/networks/NetworkProbe.h"

#include <torch/torch.h>

#include <atomic>
#include <chrono>

#include "engine/core/CpuAllocator.h"
#include "engine/core/Error.h"

namespace medulla {
int64_t parameterCount(const torch::nn::Module& net) {
    int64_t n = 0;
    for (const auto& p : net.parameters(true))
        n += p.numel();
    return n;
}

std::vector<int64_t> outputShape(Network& net, const std::vector<int64_t>& inputShape) {
    const bool wasTraining = net.is_training();
    net.eval();
    torch::NoGradGuard guard;
    std::vector<int64_t> out;
    try {
        const auto dtype =
            net.parameters().empty() ? torch::kFloat : net.parameters().front().scalar_type();
        out = net.forward(torch::zeros(inputShape, torch::TensorOptions().dtype(dtype)))
                  .sizes()
                  .vec();
    } catch (const Error&) {
        net.train(wasTraining);
        throw;
    } catch (const std::exception& e) {
        net.train(wasTraining);
        throw ShapeError(std::string("the network cannot take this input: ") + e.what(), {},
                         "input");
    }
    net.train(wasTraining);
    return out;
}

StepMemory measureTrainingStep(const Json& config, const std::vector<int64_t>& inputShape) {
    installCpuAllocator();
    StepMemory m;
    auto net = networkRegistry().create(config, "network");
    for (const auto& p : net->parameters())
        m.parameterBytes += int64_t(p.numel() * p.element_size());
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-4));
    const at::Tensor x = torch::randn(inputShape);
    net->train();
    const int64_t before = cpuMemoryStats().liveBytes;
    resetCpuPeak();
    const auto t0 = std::chrono::steady_clock::now();
    try {
        opt.zero_grad();
        at::Tensor y = net->forward(x);
        at::Tensor loss = y.pow(2).mean();
        if (at::Tensor aux = net->auxiliaryLoss(); aux.defined())
            loss = loss + aux;
        loss.backward();
        opt.step();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw ShapeError(std::string("the network cannot take this input: ") + e.what(), {},
                         "input");
    }
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m.peakBytes = cpuMemoryStats().peakBytes - before + m.parameterBytes;
    return m;
}

} // namespace medulla
