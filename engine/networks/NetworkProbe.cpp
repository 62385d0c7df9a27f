#include "engine/networks/NetworkProbe.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>

#include "engine/core/Error.h"

namespace medulla {
namespace {

/// LibTorch's CPU allocation (c10::alloc_cpu, 64-byte aligned) with a
/// 64-byte header holding the size, so frees are counted without a lookup
/// and data == context as raw_allocate() requires.
class CountingAllocator final : public c10::Allocator {
public:
    static constexpr size_t kHeader = 64;

    c10::DataPtr allocate(size_t n) const override {
        if (n == 0)
            return {nullptr, nullptr, &release, c10::Device(c10::DeviceType::CPU)};
        auto* base = static_cast<char*>(c10::alloc_cpu(n + kHeader));
        *reinterpret_cast<size_t*>(base) = n;
        void* data = base + kHeader;
        const int64_t now = live_.fetch_add(int64_t(n)) + int64_t(n);
        int64_t peak = peak_.load();
        while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
        }
        return {data, data, &release, c10::Device(c10::DeviceType::CPU)};
    }
    c10::DeleterFnPtr raw_deleter() const override { return &release; }

    int64_t live() const { return live_.load(); }
    int64_t peak() const { return peak_.load(); }
    void resetPeak() { peak_.store(live_.load()); }

private:
    static void release(void* data) {
        if (!data)
            return;
        char* base = static_cast<char*>(data) - kHeader;
        live_.fetch_sub(int64_t(*reinterpret_cast<size_t*>(base)));
        c10::free_cpu(base);
    }

    static std::atomic<int64_t> live_;
    static std::atomic<int64_t> peak_;
};

std::atomic<int64_t> CountingAllocator::live_{0};
std::atomic<int64_t> CountingAllocator::peak_{0};

CountingAllocator& counter() {
    static CountingAllocator* a = [] {
        auto* c = new CountingAllocator();
        c10::SetCPUAllocator(c, /*priority*/ 100);
        return c;
    }();
    return *a;
}

} // namespace

int64_t currentCpuBytes() {
    return counter().live();
}

int64_t peakCpuBytes() {
    return counter().peak();
}

void resetPeakCpuBytes() {
    counter().resetPeak();
}

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
    CountingAllocator& c = counter();
    StepMemory m;
    auto net = networkRegistry().create(config, "network");
    for (const auto& p : net->parameters())
        m.parameterBytes += int64_t(p.numel() * p.element_size());
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-4));
    const at::Tensor x = torch::randn(inputShape);
    net->train();
    const int64_t before = c.live();
    c.resetPeak();
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
    m.peakBytes = c.peak() - before + m.parameterBytes;
    return m;
}

} // namespace medulla
