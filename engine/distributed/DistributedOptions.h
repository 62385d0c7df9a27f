#pragma once
/// The experiment's "distributed" section: how a multi-process run
/// communicates. A single process ignores everything but nproc_per_node.
///
///   "distributed": {"nproc_per_node": 2, "backend": "auto", "timeout_s": 300,
///                   "bucket_cap_mb": 25, "sync_batch_norm": false,
///                   "partition_cache": true}

#include <torch/arg.h>

#include <string>
#include <vector>

#include "engine/core/Params.h"

namespace medulla {

struct DistributedOptions {
    /// Processes the studio starts on this machine (`medulla launch` takes
    /// --nproc-per-node instead); 1: no distributed run.
    TORCH_ARG(int64_t, nproc_per_node) = 1;
    /// "auto" (NCCL for CUDA devices when compiled in, else Gloo), "gloo",
    /// "nccl".
    TORCH_ARG(std::string, backend) = "auto";
    /// Seconds a rank waits for its peers (rendezvous, every collective)
    /// before it stops the run with an error; also how long a dead or hung
    /// worker can keep the others waiting.
    TORCH_ARG(double, timeout_s) = 300.0;
    /// Gradient bytes per all-reduce bucket (PyTorch DDP's bucket_cap_mb);
    /// the first bucket holds up to 1 MB so communication starts early.
    TORCH_ARG(double, bucket_cap_mb) = 25.0;
    /// Turn every "batch" norm of the network into "syncbatch": batch
    /// statistics over all ranks' samples (SyncBatchNorm.h).
    TORCH_ARG(bool, sync_batch_norm) = false;
    /// Each rank caches only its own share of the training and validation
    /// cases (MONAI's partition_dataset, even split with padding) and
    /// shuffles within it; false: every rank indexes the whole list and a
    /// distributed sampler deals out each epoch's order.
    TORCH_ARG(bool, partition_cache) = true;

public:
    static std::vector<ParamSpec> params();
    /// Null or absent: defaults. Throws ConfigError naming "<field>.<key>".
    static DistributedOptions fromJson(const Json& j, const std::string& field = "distributed");
    Json toJson() const;
};

} // namespace medulla
