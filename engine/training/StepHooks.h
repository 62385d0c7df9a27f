#pragma once
/// Hooks around the numeric core of one training or evaluation step: where
/// mixed precision plugs in (an Autocast guard around the forward pass, a
/// GradScaler around backward and the optimizer step). Every member may be
/// left empty; the workflows then do the plain full-precision step.
///
/// Threads: the hooks run on the workflow's thread, inside iterate().

#include <ATen/Tensor.h>
#include <torch/optim/optimizer.h>

#include <functional>

namespace medulla {

struct StepHooks {
    /// Runs `body` (network forward + loss in training, the inferer in
    /// evaluation), e.g. with autocast enabled around it. Empty: body().
    std::function<void(const std::function<void()>& body)> autocast;
    /// Called before each training backward pass with whether it ends an
    /// accumulation group (the optimizer steps after it); distributed
    /// training synchronizes gradients only then. Empty: nothing.
    std::function<void(bool lastOfGroup)> beforeBackward;
    /// Backpropagates the 0-d training loss, e.g. scaler.scale(loss).backward().
    /// Empty: loss.backward().
    std::function<void(const at::Tensor& loss)> backward;
    /// Updates the parameters from their gradients, e.g. scaler.step(optimizer)
    /// then scaler.update(). Returns false when the update was skipped (a
    /// scaler found inf/NaN gradients). Empty: optimizer.step(), true.
    std::function<bool(torch::optim::Optimizer& optimizer)> step;
};

} // namespace medulla
