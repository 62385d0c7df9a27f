#pragma once
/// Dynamic loss scaling for mixed-precision training (PyTorch's
/// torch.cuda.amp.GradScaler semantics; LibTorch has no C++ class for it).
///
/// fp16 gradients underflow to zero for small values, so the loss is
/// multiplied by a large scale S before backward(); the optimizer must then
/// see the gradients divided by S again, and a step whose gradients hold an
/// inf or NaN (S too large) is skipped and S is lowered. Per iteration:
///
///   optimizer.zero_grad();
///   at::Tensor loss;
///   { Autocast ac(c10::DeviceType::CUDA); loss = lossFn(net->forward(x), y); }
///   scaler.scale(loss).backward();
///   scaler.unscale_(optimizer);   // optional: before gradient clipping
///   scaler.step(optimizer);       // unscales if not done yet; skips the
///                                 // step when a gradient is inf/NaN
///   scaler.update();              // once per iteration, after every step()
///
/// update(): after a skipped step S *= backoff_factor and the growth tracker
/// restarts; after growth_interval consecutive good iterations
/// S *= growth_factor (unless that overflows float32). With several
/// optimizers, each step() skips only the optimizer whose own gradients
/// are not finite, and update() backs off if any of them was.
///
/// Devices: the scale lives on the device of the first loss given to
/// scale() (float32, one element). Gradients may be on several devices.
/// CUDA gradients are checked and unscaled by ATen's fused
/// at::_amp_foreach_non_finite_check_and_unscale_ and the scale updated by
/// at::_amp_update_scale_; LibTorch 1.13 has no CPU kernels for either, so
/// CPU tensors take an equivalent path of plain tensor operations (same
/// results: multiply by the float32 reciprocal of the scale, flag any
/// non-finite value; float32 scale arithmetic). step() and getScale() read
/// one value back from the device (a synchronisation), as PyTorch does.
///
/// Gradients must be float32, float64 or bfloat16 (float16 gradients, i.e.
/// float16 parameters, throw Error as in PyTorch); sparse gradients throw.
///
/// Disabled (enabled = false): every call is a pass-through; scale()
/// returns the loss itself, step() calls optimizer.step(), getScale() is
/// 1, state() is an empty object.
///
/// Threads: not thread-safe; use one scaler from the training thread.

#include <ATen/Tensor.h>
#include <torch/arg.h>
#include <torch/optim/optimizer.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace medulla {

struct GradScalerOptions {
    /// The first scale S (> 0); PyTorch's default 2^16.
    TORCH_ARG(double, init_scale) = 65536.0;
    /// S *= growth_factor after growth_interval good iterations in a row (> 1).
    TORCH_ARG(double, growth_factor) = 2.0;
    /// S *= backoff_factor after an iteration with an inf/NaN gradient (in (0, 1)).
    TORCH_ARG(double, backoff_factor) = 0.5;
    /// Good iterations in a row before the scale grows (>= 1).
    TORCH_ARG(int64_t, growth_interval) = 2000;
    /// false: pass-through (fp32 training, or CPU bf16 autocast, which needs no scaling).
    TORCH_ARG(bool, enabled) = true;
};

class GradScaler {
public:
    /// Throws ConfigError naming the option ("init_scale", "growth_factor",
    /// "backoff_factor", "growth_interval") when it is out of range.
    explicit GradScaler(GradScalerOptions options = {});

    bool isEnabled() const { return options_.enabled(); }
    const GradScalerOptions& options() const { return options_; }

    /// loss * S, of loss's shape; float16 and bfloat16 losses are scaled in
    /// float32 (S * loss could overflow float16), float32/float64 keep their
    /// dtype. Disabled: returns `loss` itself.
    at::Tensor scale(const at::Tensor& loss);

    /// Divide the gradients of `optimizer`'s parameters by S in place and
    /// record whether any is inf/NaN. At most once per optimizer between
    /// update()s, and before step() (else Error). Parameters without a
    /// gradient are skipped.
    void unscale_(torch::optim::Optimizer& optimizer);

    /// unscale_() if not done yet, then optimizer.step() unless a gradient
    /// of this optimizer was inf/NaN. Returns whether the step ran. Once
    /// per optimizer between update()s (else Error); Error too when none
    /// of the optimizer's parameters has a gradient.
    bool step(torch::optim::Optimizer& optimizer);

    /// Adjust S (see above) from every optimizer unscaled since the last
    /// update() (Error when there was none), or set S = newScale (> 0)
    /// when given. Then a new iteration starts.
    void update(std::optional<double> newScale = std::nullopt);

    /// The current S as a double (1 when disabled). Synchronises with the
    /// scale's device.
    double getScale() const;
    /// Good iterations in a row since the last growth or backoff.
    int64_t growthTracker() const;
    /// step() calls that ran / skipped the optimizer step (disabled: all ran).
    int64_t stepsTaken() const { return stepsTaken_; }
    int64_t stepsSkipped() const { return stepsSkipped_; }

    /// For checkpoints: PyTorch's state_dict() keys {"scale", "growth_factor",
    /// "backoff_factor", "growth_interval", "_growth_tracker"} plus
    /// "steps_taken" and "steps_skipped"; {} when disabled (as PyTorch).
    nlohmann::json state() const;
    /// Restore state() output (or a PyTorch GradScaler state_dict written as
    /// JSON; the step counters are optional). Disabled: ignored. Throws
    /// ConfigError naming the key when a key is missing, of the wrong type
    /// or out of range, or when `state` is empty (saved by a disabled
    /// scaler). Clears any unfinished iteration.
    void loadState(const nlohmann::json& state);

private:
    enum class Stage { Ready, Unscaled, Stepped };
    struct PerOptimizer {
        Stage stage = Stage::Ready;
        /// One float32 flag (0 or 1) per device the gradients are on.
        std::vector<at::Tensor> foundInf;
    };

    void initScale(const at::Device& device);
    PerOptimizer& perOptimizer(const torch::optim::Optimizer& optimizer);

    GradScalerOptions options_;
    at::Tensor scale_;         ///< float32 (1,), created by the first scale()
    at::Tensor growthTracker_; ///< int32 (1,), on scale_'s device
    double pendingScale_;      ///< S until scale_ exists
    int64_t pendingTracker_ = 0;
    std::map<const torch::optim::Optimizer*, PerOptimizer> perOptimizer_;
    int64_t stepsTaken_ = 0;
    int64_t stepsSkipped_ = 0;
};

} // namespace medulla
