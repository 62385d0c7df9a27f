#pragma once
/// MONAI's amp=true for the workflows: StepHooks that run the forward pass
/// (and the evaluator's inferer) under autocast (CUDA: float16; CPU:
/// bfloat16) and, with a GradScaler, scale the loss for backward and skip
/// optimizer steps whose gradients overflowed.
///
/// On CPU no scaler is needed (bfloat16 has float32's range); without
/// native bf16 instructions bf16 autocast is slower than float32 (see
/// cpuBf16Warning()). In this LibTorch (1.13) CPU autocast casts linear and
/// 2D convolutions to bf16 but not Medulla's FastConv3d (3D convolutions
/// with gradients), so 3D CPU training stays mostly float32.

#include <memory>

#include <c10/core/Device.h>

#include "engine/training/GradScaler.h"
#include "engine/training/StepHooks.h"

namespace medulla {

/// Hooks for the trainer: autocast around forward + loss; `scaler` (may be
/// null or disabled) around backward and step.
StepHooks ampTrainingHooks(c10::Device device, std::shared_ptr<GradScaler> scaler);

/// Hooks for the evaluator: autocast around the inferer only.
StepHooks ampEvaluationHooks(c10::Device device);

} // namespace medulla
