#include "engine/training/RunSupport.h"

#include <torch/cuda.h>

#include <fstream>
#include <regex>

#include "engine/core/Error.h"

namespace medulla {

Json readExperimentJson(const std::string& path) {
    std::ifstream f(path);
    if (!f)
        throw IoError("cannot open the experiment file", path);
    Json j;
    try {
        f >> j;
    } catch (const Json::exception& e) {
        throw ConfigError(std::string("not valid JSON: ") + e.what(), path);
    }
    return j;
}

void checkDeviceName(const std::string& name) {
    if (!std::regex_match(name, std::regex("auto|cpu|cuda(:[0-9]+)?")))
        throw ConfigError("\"" + name + "\" is not auto, cpu, cuda or cuda:N", {},
                          "trainer.device");
}

torch::Device resolveDevice(const std::string& name) {
    checkDeviceName(name);
    if (name == "cpu" || (name == "auto" && !torch::cuda::is_available()))
        return torch::kCPU;
    if (!torch::cuda::is_available())
        throw ConfigError("CUDA was requested but this LibTorch build has no usable GPU", {},
                          "trainer.device");
    if (name == "auto" || name == "cuda")
        return {torch::kCUDA, 0};
    const int index = std::stoi(name.substr(5));
    if (index >= int(torch::cuda::device_count()))
        throw ConfigError("there are only " + std::to_string(torch::cuda::device_count()) + " GPUs",
                          {}, "trainer.device");
    return {torch::kCUDA, static_cast<c10::DeviceIndex>(index)};
}

void StageProgress::progress(double fraction, const std::string& what) {
    for (auto* o : observers_)
        o->onPreparing(begin_ + (end_ - begin_) * fraction, what);
}

} // namespace medulla
