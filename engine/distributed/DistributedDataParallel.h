#pragma once
/// PyTorch's DistributedDataParallel for a LibTorch module (LibTorch has no
/// C++ DDP): every rank holds a full replica and trains on its own samples;
///   - at construction, rank 0's parameters and buffers are broadcast to
///     all ranks, so the replicas start identical;
///   - beforeForward() broadcasts rank 0's buffers (batch-norm running
///     statistics) when the module has any, like broadcast_buffers=True;
///   - gradients are averaged by a GradientReducer (bucketed all-reduce
///     overlapping the backward pass): call afterBackward() after every
///     backward pass, before the optimizer step;
///   - setSynchronize(false) before the intermediate backward passes of a
///     gradient accumulation skips their communication (no_sync).
/// With identical replicas, identical optimizers and averaged gradients the
/// replicas stay identical step after step.
///
/// installInto() wraps a trainer's StepHooks so that SupervisedTrainer
/// drives all of this.
///
/// Threads: the training thread (the reducer's hooks run in backward).

#include <memory>

#include "engine/distributed/GradientReducer.h"
#include "engine/training/StepHooks.h"

namespace torch::nn {
class Module;
}

namespace medulla {

class DistributedContext;

class DistributedDataParallel {
public:
    /// Collective. `module` must outlive this object and keep its
    /// parameters (same network on every rank).
    DistributedDataParallel(std::shared_ptr<DistributedContext> context, torch::nn::Module& module,
                            GradientReducerOptions options = {});
    ~DistributedDataParallel();

    /// rank 0's buffers to everyone (no-op without buffers).
    void beforeForward();
    /// Completes the gradient average (no-op while not synchronizing).
    void afterBackward();
    void setSynchronize(bool synchronize);

    /// Composes `inner` (AMP's hooks or empty) with the DDP steps: buffers
    /// before the forward, synchronize on the backward that ends an
    /// accumulation group (StepHooks::beforeBackward), the average after
    /// every backward.
    StepHooks wrap(StepHooks inner);

    /// Broadcast every parameter and buffer of `module` from `root`.
    static void broadcastState(DistributedContext& context, torch::nn::Module& module,
                               int root = 0);

    GradientReducer& reducer() { return *reducer_; }
    DistributedContext& context() { return *context_; }

private:
    std::shared_ptr<DistributedContext> context_;
    torch::nn::Module& module_;
    std::unique_ptr<GradientReducer> reducer_;
    bool hasBuffers_ = false;
};

} // namespace medulla
