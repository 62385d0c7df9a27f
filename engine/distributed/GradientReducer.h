#pragma once
/// The gradient half of DistributedDataParallel: gradients averaged over
/// all ranks by bucketed all-reduces that start during the backward pass.
///
/// Parameters are grouped into buckets in reverse registration order (the
/// order in which backward produces their gradients), the first bucket up
/// to first_bucket_mb, the others up to bucket_cap_mb, one dtype and device
/// per bucket. A post hook on each parameter's gradient accumulator marks it
/// ready; when every parameter of a bucket is ready, and all earlier buckets
/// have been launched (all ranks launch buckets in the same order), the
/// bucket's gradients are copied into one flat buffer, divided by the world
/// size and all-reduced asynchronously while backward goes on.
/// finishBackward() then launches the buckets that never became ready
/// (parameters that took no part in the loss contribute zeros), waits for
/// all, and writes the averaged gradients back into each parameter's grad.
///
/// No-sync accumulation: with setSynchronize(false) backward passes only
/// accumulate locally (no communication); the next synchronized pass
/// all-reduces the sum of the accumulated gradients.
///
/// Threads: hooks run on the autograd thread of the backward pass (the
/// caller's for CPU tensors); construction, finishBackward() and
/// setSynchronize() on the training thread, never during a backward pass.

#include <ATen/Tensor.h>
#include <torch/arg.h>

#include <memory>
#include <vector>

namespace medulla {

class DistributedContext;

struct GradientReducerOptions {
    /// Megabytes of gradients per bucket (PyTorch DDP's bucket_cap_mb).
    TORCH_ARG(double, bucket_cap_mb) = 25.0;
    /// The first bucket (the last layers' gradients, ready first) is kept
    /// small so that communication starts early.
    TORCH_ARG(double, first_bucket_mb) = 1.0;
};

class GradientReducer {
public:
    /// `parameters`: the trainable parameters, in registration order; the
    /// same count, shapes and dtypes on every rank (checked with one
    /// all-gather: ConfigError "the processes built different networks").
    /// Collective: all ranks construct their reducers together.
    GradientReducer(std::shared_ptr<DistributedContext> context, std::vector<at::Tensor> parameters,
                    GradientReducerOptions options = {});
    ~GradientReducer();
    GradientReducer(const GradientReducer&) = delete;
    GradientReducer& operator=(const GradientReducer&) = delete;

    /// false: following backward passes accumulate without communication.
    void setSynchronize(bool synchronize);
    bool synchronize() const;

    /// After every backward pass: when synchronizing, completes the
    /// all-reduce (see the class comment) so that each parameter's grad is
    /// the mean over ranks; otherwise does nothing. Throws DistributedError
    /// when a peer failed.
    void finishBackward();
    /// Forgets a pass that an exception interrupted (waits for what was
    /// launched, discards it).
    void abandonPass();

    /// Parameter indices (into the constructor's list) per bucket, in
    /// launch order.
    std::vector<std::vector<size_t>> buckets() const;
    /// Gradient bytes all-reduced since construction.
    int64_t bytesReduced() const;
    /// Seconds finishBackward() waited for communication that the backward
    /// pass did not hide, summed since construction.
    double exposedWaitSeconds() const;
    /// Buckets launched by the hooks during backward (rather than by
    /// finishBackward()), summed since construction.
    int64_t bucketsLaunchedDuringBackward() const;

    struct Impl; ///< (shared with the gradient hooks)

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace medulla
