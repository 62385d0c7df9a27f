#pragma once
/// Synchronized batch normalization (PyTorch's nn.SyncBatchNorm): in a
/// multi-process training run, the per-channel batch statistics of every
/// SyncBatchNorm layer are those of all ranks' samples together, so that
/// forward, backward and the running statistics are what one process would
/// compute with plain BatchNorm on the concatenated global batch.
///
/// Use: the experiment's distributed.sync_batch_norm turns the network's
/// "batch" norms into "syncbatch" (withSyncBatchNorm), and the process calls
/// registerSyncBatchNorm() once before it builds the network so that
/// makeNorm (engine/networks/Layers.h) builds this module for "syncbatch".
///
/// Parameters and buffers carry exactly BatchNorm{1,2,3}d's names (weight,
/// bias, running_mean, running_var, num_batches_tracked), so state dicts,
/// checkpoints and MONAI weights load unchanged in either direction.
///
/// Collectives (DistributedContext::current(), when its world size is > 1
/// and the module is training): one all-gather of (count, mean, M2) per
/// channel in forward, one all-reduce of (sum dy, sum dy * x_hat) in
/// backward when the input needs a gradient. Every rank must therefore run
/// the same layers in the same order (which the same network does); batch
/// sizes may differ between ranks, and a rank may even hold no sample.
///
/// Threads: forward on the training thread; backward on the autograd thread
/// of the backward pass (the caller's for CPU tensors), as the collectives
/// of DistributedContext allow.

#include <torch/nn/cloneable.h>
#include <torch/nn/options/batchnorm.h>
#include <torch/nn/pimpl.h>

#include "engine/core/Params.h"

namespace medulla {

class SyncBatchNormImpl : public torch::nn::Cloneable<SyncBatchNormImpl> {
public:
    /// num_features: the channels C; eps, momentum (unset: cumulative moving
    /// average as in PyTorch), affine, track_running_stats as BatchNorm.
    explicit SyncBatchNormImpl(const torch::nn::BatchNormOptions& options);
    explicit SyncBatchNormImpl(int64_t num_features)
        : SyncBatchNormImpl(torch::nn::BatchNormOptions(num_features)) {}

    /// (Re)creates the parameters and buffers: weight 1, bias 0,
    /// running_mean 0, running_var 1, num_batches_tracked 0.
    void reset() override;
    void reset_running_stats();
    void reset_parameters();

    /// x: (N, C, *spatial) with any number (>= 0) of spatial axes, C =
    /// num_features; returns the same shape and dtype. Outside a
    /// multi-process group, or in eval mode, exactly
    /// torch::nn::functional::batch_norm as BatchNorm{1,2,3}d computes it.
    /// In training with a group of W > 1 ranks: normalized with the biased
    /// variance over all ranks' N * prod(spatial) values per channel; the
    /// running variance takes the unbiased global variance. Throws Error for
    /// a wrong shape or a global batch of a single value per channel, and
    /// DistributedError when a collective fails.
    at::Tensor forward(const at::Tensor& x);

    void pretty_print(std::ostream& stream) const override;

    torch::nn::BatchNormOptions options;
    at::Tensor weight;              ///< (C), affine only
    at::Tensor bias;                ///< (C), affine only
    at::Tensor running_mean;        ///< (C), track_running_stats only
    at::Tensor running_var;         ///< (C), track_running_stats only
    at::Tensor num_batches_tracked; ///< int64 scalar, track_running_stats only
};
TORCH_MODULE(SyncBatchNorm);

/// Installs the SyncBatchNorm factory for makeNorm's "syncbatch" (see
/// setSyncBatchNormFactory in engine/networks/Layers.h). Idempotent; call
/// once per process before building networks (the trainer does when
/// distributed.sync_batch_norm is set). Without it "syncbatch" builds plain
/// BatchNorm.
void registerSyncBatchNorm();

/// A copy of the network JSON (the "network" section) in which every
/// normalization given as "batch" (any case) or ["batch", {arguments}], at
/// any depth, under a key whose name contains "norm" ("norm", "norm_name",
/// "norm_type"), becomes "syncbatch" with the same arguments. Other norms
/// and all other values are kept.
Json withSyncBatchNorm(const Json& network);

} // namespace medulla
