#include "engine/training/Autocast.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "engine/core/Error.h"

// LibTorch 2.4 made the autocast API device-generic and deprecated the
// CUDA-/CPU-specific functions that 1.13 has.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define MEDULLA_AUTOCAST_DEVICE_API 1
#endif

namespace medulla {

namespace {

bool enabledFor(c10::DeviceType device) {
#ifdef MEDULLA_AUTOCAST_DEVICE_API
    return at::autocast::is_autocast_enabled(device);
#else
    return device == c10::DeviceType::CUDA ? at::autocast::is_enabled()
                                           : at::autocast::is_cpu_enabled();
#endif
}

void setEnabledFor(c10::DeviceType device, bool enabled) {
#ifdef MEDULLA_AUTOCAST_DEVICE_API
    at::autocast::set_autocast_enabled(device, enabled);
#else
    if (device == c10::DeviceType::CUDA)
        at::autocast::set_enabled(enabled);
    else
        at::autocast::set_cpu_enabled(enabled);
#endif
}

c10::ScalarType dtypeFor(c10::DeviceType device) {
#ifdef MEDULLA_AUTOCAST_DEVICE_API
    return at::autocast::get_autocast_dtype(device);
#else
    return device == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                           : at::autocast::get_autocast_cpu_dtype();
#endif
}

void setDtypeFor(c10::DeviceType device, c10::ScalarType dtype) {
#ifdef MEDULLA_AUTOCAST_DEVICE_API
    at::autocast::set_autocast_dtype(device, dtype);
#else
    if (device == c10::DeviceType::CUDA)
        at::autocast::set_autocast_gpu_dtype(dtype);
    else
        at::autocast::set_autocast_cpu_dtype(dtype);
#endif
}

void checkDevice(c10::DeviceType device) {
    if (device != c10::DeviceType::CUDA && device != c10::DeviceType::CPU)
        throw ConfigError("autocast supports the CPU and CUDA devices, not " +
                              c10::DeviceTypeName(device, /*lower_case=*/true),
                          {}, "amp");
}

} // namespace

c10::ScalarType Autocast::defaultDtype(c10::DeviceType device) {
    checkDevice(device);
    return device == c10::DeviceType::CUDA ? at::kHalf : at::kBFloat16;
}

bool Autocast::isEnabled(c10::DeviceType device) {
    checkDevice(device);
    return enabledFor(device);
}

c10::ScalarType Autocast::dtype(c10::DeviceType device) {
    checkDevice(device);
    return dtypeFor(device);
}

Autocast::Autocast(c10::DeviceType device, bool enabled, std::optional<c10::ScalarType> dtype,
                   bool cacheEnabled)
    : device_(device) {
    checkDevice(device);
    const c10::ScalarType want = dtype ? *dtype : defaultDtype(device);
    if (device == c10::DeviceType::CUDA) {
        if (want != at::kHalf && want != at::kBFloat16)
            throw ConfigError(std::string("CUDA autocast runs in float16 or bfloat16, not ") +
                                  c10::toString(want),
                              {}, "amp");
        if (enabled && !at::globalContext().hasCUDA())
            throw ConfigError("CUDA autocast asked for, but this LibTorch has no CUDA device", {},
                              "amp");
    } else if (want != at::kBFloat16) {
        throw ConfigError(std::string("CPU autocast runs in bfloat16, not ") + c10::toString(want),
                          {}, "amp");
    }
    prevEnabled_ = enabledFor(device);
    prevDtype_ = dtypeFor(device);
    prevCacheEnabled_ = at::autocast::is_autocast_cache_enabled();
    setEnabledFor(device, enabled);
    setDtypeFor(device, want);
    at::autocast::set_autocast_cache_enabled(cacheEnabled);
    at::autocast::increment_nesting();
}

Autocast::~Autocast() {
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache();
    setEnabledFor(device_, prevEnabled_);
    setDtypeFor(device_, prevDtype_);
    at::autocast::set_autocast_cache_enabled(prevCacheEnabled_);
}

bool cpuinfoHasNativeBf16(const std::string& cpuinfo) {
    std::istringstream lines(cpuinfo);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("flags", 0) != 0)
            continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::istringstream words(line.substr(colon + 1));
        std::string flag;
        while (words >> flag)
            if (flag == "avx512_bf16" || flag == "amx_bf16")
                return true;
    }
    return false;
}

bool cpuHasNativeBf16() {
    std::ifstream f("/proc/cpuinfo");
    if (!f)
        return false;
    std::ostringstream text;
    text << f.rdbuf();
    return cpuinfoHasNativeBf16(text.str());
}

std::string cpuBf16Warning() {
    if (cpuHasNativeBf16())
        return {};
    return "amp on the CPU runs the forward pass in bfloat16, but this CPU has no native bfloat16 "
           "instructions (no avx512_bf16 or amx_bf16 in /proc/cpuinfo): bfloat16 is emulated and "
           "much slower than float32 (MONAI measured a training step 5.7x slower on such a "
           "machine). Consider amp=false on this machine.";
}

std::string cpuBf16WarningOnce() {
    static std::atomic<bool> given{false};
    if (given.exchange(true))
        return {};
    return cpuBf16Warning();
}

} // namespace medulla
