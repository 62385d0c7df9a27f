#pragma once
/// Automatic mixed precision for the forward pass (MONAI's amp=true): an RAII
/// guard that turns LibTorch's autocast on (or off) for one device type on
/// the calling thread, like Python's `with torch.autocast(device):`.
///
///   CUDA: float16 by default (bfloat16 may be asked for); pair it with a
///         GradScaler, since fp16 gradients underflow.
///   CPU:  bfloat16 (the only CPU autocast dtype of LibTorch 1.13); needs no
///         GradScaler (bf16 has float32's range). Without native bf16
///         instructions it is much slower than float32: see
///         cpuBf16Warning().
///
///   optimizer.zero_grad();
///   at::Tensor loss;
///   {
///       Autocast amp(c10::DeviceType::CUDA);   // or Autocast::forDevice(x.device())
///       loss = lossFn(net->forward(x), y);      // convolutions etc. in fp16
///   }                                           // autocast off again
///   scaler.scale(loss).backward();              // backward outside the guard
///
/// What autocast changes (LibTorch 1.13, CPU, as measured by test_amp):
/// torch Conv3d and Linear outputs are bfloat16; instance norm, batch
/// norm, PReLU and softmax follow their input's dtype; ConvTranspose3d
/// stays float32 (not on 1.13's CPU list). Medulla's FastConv3d (the CPU
/// training path of every 3D convolution, engine/networks/FastConv.h)
/// calls at::convolution inside its own autograd function, which 1.13
/// does not autocast: with gradients on and a float32 input it stays
/// float32 (under no_grad it is a plain conv3d and runs bf16).
/// Parameters stay float32; their gradients are float32.
///
/// Nesting: guards nest like Python's context managers (an inner
/// Autocast(device, false) turns it off for a region); each restores the
/// enabled flag, dtype and cache flag it found. The cache of casted
/// weights is cleared when the outermost guard of the thread ends.
///
/// Threads: autocast state is thread-local; create and destroy a guard on
/// the same thread, innermost first (it is not copyable or movable). The
/// backward pass needs no guard.

#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>

#include <optional>
#include <string>

namespace medulla {

class Autocast {
public:
    /// Autocast for `device` (CPU or CUDA) with `dtype` (default: float16 on
    /// CUDA, bfloat16 on CPU) until the guard ends; enabled = false turns
    /// it off instead. cacheEnabled: reuse the casted copies of float32
    /// leaf tensors (weights) within the outermost guard (PyTorch's
    /// cache_enabled). Throws ConfigError (field "amp") for another device
    /// type, for a dtype the device's autocast does not support (CUDA:
    /// float16, bfloat16; CPU: bfloat16), or for CUDA when no CUDA device
    /// is available (CPU-only LibTorch or no GPU).
    explicit Autocast(c10::DeviceType device, bool enabled = true,
                      std::optional<c10::ScalarType> dtype = std::nullopt,
                      bool cacheEnabled = true);
    ~Autocast();
    Autocast(const Autocast&) = delete;
    Autocast& operator=(const Autocast&) = delete;

    /// float16 for CUDA, bfloat16 for CPU.
    static c10::ScalarType defaultDtype(c10::DeviceType device);
    /// Whether autocast is on for `device` on the calling thread.
    static bool isEnabled(c10::DeviceType device);
    /// The lower-precision dtype autocast uses for `device` on this thread.
    static c10::ScalarType dtype(c10::DeviceType device);

private:
    c10::DeviceType device_;
    bool prevEnabled_;
    c10::ScalarType prevDtype_;
    bool prevCacheEnabled_;
};

/// Whether the CPU has native bfloat16 arithmetic: the avx512_bf16 or
/// amx_bf16 flag in /proc/cpuinfo (false when the file cannot be read).
bool cpuHasNativeBf16();
/// The same test on the text of a /proc/cpuinfo (any "flags" line).
bool cpuinfoHasNativeBf16(const std::string& cpuinfo);
/// A warning for the user when CPU bf16 autocast is asked for on a CPU
/// without native bf16 ("" when it has them): the caller logs it.
std::string cpuBf16Warning();
/// cpuBf16Warning() the first time it is called in the process, then ""
/// (thread-safe), so a caller can log it once per run without state.
std::string cpuBf16WarningOnce();

} // namespace medulla
