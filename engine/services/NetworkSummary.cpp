#include "engine/services/NetworkSummary.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/networks/Network.h"
#include "engine/networks/NetworkProbe.h"

namespace medulla {

namespace {

/// The first `dims` sizes of `patch`; throws ConfigError naming "patch".
std::vector<int64_t> spatialPatch(const std::vector<int64_t>& patch, int64_t dims) {
    if (patch.empty())
        throw ConfigError("no patch size given", {}, "patch");
    for (int64_t s : patch)
        if (s < 1)
            throw ConfigError("sizes must be >= 1", {}, "patch");
    if (dims <= 0)
        return patch;
    if (int64_t(patch.size()) < dims)
        throw ConfigError("the network is " + std::to_string(dims) + "D but the patch has " +
                              std::to_string(patch.size()) + " sizes",
                          {}, "patch");
    return std::vector<int64_t>(patch.begin(), patch.begin() + dims);
}

void poll(const CancelToken* cancel) {
    if (cancel && cancel->isCancelled())
        throw CancelledError();
}

} // namespace

NetworkSummary summarizeNetwork(const Json& networkConfig, const std::vector<int64_t>& patchSize,
                                int64_t batchSize, bool amp, const CancelToken* cancel) {
    NetworkSummary s;
    try {
        if (batchSize < 1)
            throw ConfigError("must be >= 1", {}, "trainer.batch_size");
        poll(cancel);
        NetworkPtr net = networkRegistry().create(networkConfig, "network");
        const Json built = net->toJson();
        s.inChannels = built.value("in_channels", int64_t(1));
        const std::vector<int64_t> patch = spatialPatch(patchSize, built.value("spatial_dims", 0));
        const int64_t divisor = std::max<int64_t>(1, net->sizeDivisor());
        for (int64_t size : patch)
            if (size % divisor != 0)
                throw ConfigError("every size must be a multiple of " + std::to_string(divisor) +
                                      " for this network (got " + std::to_string(size) + ")",
                                  {}, "patch");
        s.parameterCount = parameterCount(*net);
        s.parameterBytes = s.parameterCount * int64_t(sizeof(float));
        poll(cancel);

        std::vector<int64_t> input{1, s.inChannels};
        input.insert(input.end(), patch.begin(), patch.end());
        s.outputShape = outputShape(*net, input);
        if (!s.outputShape.empty())
            s.outputShape[0] = batchSize;
        net.reset();
        poll(cancel);

        // Activations measured on one case of a small probe patch.
        double patchVoxels = 1, probeVoxels = 1;
        for (int64_t size : patch) {
            int64_t probe = std::min<int64_t>(size, 32);
            probe = std::max(divisor, probe / divisor * divisor);
            probe = std::min(probe, size);
            s.probePatch.push_back(probe);
            patchVoxels *= double(size);
            probeVoxels *= double(probe);
        }
        std::vector<int64_t> probeInput{1, s.inChannels};
        probeInput.insert(probeInput.end(), s.probePatch.begin(), s.probePatch.end());
        const StepMemory m = measureTrainingStep(networkConfig, probeInput);
        const int64_t state = 4 * s.parameterBytes;
        const double probeActivations = double(std::max<int64_t>(0, m.peakBytes - state));
        const double scale = double(batchSize) * patchVoxels / probeVoxels * (amp ? 0.5 : 1.0);
        s.estimatedTrainingBytes = state + int64_t(probeActivations * scale);
        poll(cancel);
        s.ok = true;
    } catch (const CancelledError&) {
        s.ok = false;
        s.error = "cancelled";
    } catch (const std::exception& e) {
        s.ok = false;
        s.error = e.what();
    }
    return s;
}

int cudaDeviceCount() {
    try {
        return torch::cuda::is_available() ? int(torch::cuda::device_count()) : 0;
    } catch (const std::exception&) {
        return 0;
    }
}

std::vector<DeviceInfo> availableDevices() {
    std::vector<DeviceInfo> out{{"auto", "auto (a GPU when available, else the CPU)"},
                                {"cpu", "cpu"}};
    const int n = cudaDeviceCount();
    for (int i = 0; i < n; ++i)
        out.push_back({"cuda:" + std::to_string(i),
                       "cuda:" + std::to_string(i) + " (GPU " + std::to_string(i) + ")"});
    return out;
}

} // namespace medulla
