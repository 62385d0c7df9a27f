#pragma once
/// This process's membership in a distributed run: the c10d rendezvous
/// (TCPStore hosted by rank 0 at MASTER_ADDR:MASTER_PORT) and the process
/// group (Gloo for CPU tensors; NCCL for CUDA when LibTorch has it), with
/// the blocking collectives the trainer needs.
///
/// Every collective must be called by all ranks in the same order. A peer
/// that exits breaks the connection at once; one that hangs is given up
/// after DistributedOptions::timeout_s. Both make the call throw
/// DistributedError naming the operation, this rank and the cause.
///
/// Threads: collectives from one thread at a time (the training thread);
/// GradientReducer launches its asynchronous all-reduces from the autograd
/// thread of the backward pass, which that thread waits for.

#include <ATen/Tensor.h>
#include <c10/core/Device.h>
#include <c10/util/intrusive_ptr.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/distributed/DistributedEnv.h"
#include "engine/distributed/DistributedOptions.h"

namespace c10d {
class ProcessGroup;
class Store;
} // namespace c10d

namespace medulla {

/// A collective failed: a peer exited or did not answer within the timeout.
class DistributedError : public Error {
public:
    using Error::Error;
};

class DistributedContext {
public:
    /// Joins the run: waits up to options.timeout_s for all WORLD_SIZE
    /// processes. `device`: where the collectives' tensors live (CPU:
    /// Gloo; CUDA: NCCL when compiled in and backend is "auto"/"nccl").
    /// Throws DistributedError naming MASTER_ADDR:MASTER_PORT when the
    /// others do not come, ConfigError for an unusable backend.
    static std::shared_ptr<DistributedContext>
    join(const DistributedEnv& env, const DistributedOptions& options, c10::Device device);
    ~DistributedContext();
    DistributedContext(const DistributedContext&) = delete;
    DistributedContext& operator=(const DistributedContext&) = delete;

    /// The context joined by this process (null when none): SyncBatchNorm
    /// finds its group here.
    static std::shared_ptr<DistributedContext> current();

    int rank() const { return env_.rank; }
    int worldSize() const { return env_.worldSize; }
    bool isMain() const { return env_.rank == 0; }
    const DistributedEnv& env() const { return env_; }
    const DistributedOptions& options() const { return options_; }
    /// "gloo" or "nccl".
    const std::string& backend() const { return backend_; }
    /// Where tensors given to the collectives must live.
    c10::Device device() const { return device_; }
    std::chrono::milliseconds timeout() const;

    c10d::ProcessGroup& group();
    /// The rendezvous store (shared by all ranks; RunControl keeps its keys
    /// under "medulla/").
    c10d::Store& store();

    /// Sum over ranks, in place; the same result on every rank.
    void allReduceSum(at::Tensor& tensor, const char* what = "all-reduce");
    /// Maximum over ranks, in place.
    void allReduceMax(at::Tensor& tensor, const char* what = "all-reduce");
    /// Root's tensors replace everyone's (same shapes on all ranks).
    void broadcast(std::vector<at::Tensor>& tensors, int root = 0, const char* what = "broadcast");
    /// Every rank's `local`, in rank order (same shape on all ranks).
    std::vector<at::Tensor> allGather(const at::Tensor& local, const char* what = "all-gather");
    /// Every rank's `local` (N_r, ...) where N_r may differ between ranks
    /// (the trailing sizes and dtype may not), in rank order.
    std::vector<at::Tensor> allGatherRows(const at::Tensor& local, const char* what = "all-gather");
    /// Every rank's strings, in rank order.
    std::vector<std::vector<std::string>> allGatherStrings(const std::vector<std::string>& local);
    /// The mean of a scalar over ranks (identical on all ranks).
    double mean(double local);
    void barrier();

    /// Wraps a failure of the group into a DistributedError naming `what`,
    /// this rank and the timeout.
    [[noreturn]] void fail(const char* what, const std::exception& cause) const;

private:
    DistributedContext();

    DistributedEnv env_;
    DistributedOptions options_;
    std::string backend_;
    c10::Device device_ = c10::Device(c10::kCPU);
    c10::intrusive_ptr<c10d::Store> store_;
    c10::intrusive_ptr<c10d::ProcessGroup> group_;
};

} // namespace medulla
