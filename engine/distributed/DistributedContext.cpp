#include "engine/distributed/DistributedContext.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#ifdef MEDULLA_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <mutex>

namespace medulla {
namespace {

std::mutex g_currentMutex;
std::weak_ptr<DistributedContext> g_current;

/// c10 errors append a C++ stack trace after the first line.
std::string firstLine(std::string s) {
    if (const auto nl = s.find('\n'); nl != std::string::npos)
        s.resize(nl);
    return s;
}

std::string seconds(std::chrono::milliseconds t) {
    return c10::str(double(t.count()) / 1000.0) + " s";
}

} // namespace

DistributedContext::DistributedContext() = default;
DistributedContext::~DistributedContext() = default;

std::shared_ptr<DistributedContext> DistributedContext::current() {
    std::lock_guard<std::mutex> lock(g_currentMutex);
    return g_current.lock();
}

std::shared_ptr<DistributedContext> DistributedContext::join(const DistributedEnv& env,
                                                             const DistributedOptions& options,
                                                             c10::Device device) {
    env.validate();
    std::shared_ptr<DistributedContext> ctx(new DistributedContext());
    ctx->env_ = env;
    ctx->options_ = options;
    const std::string& b = options.backend();
    if (b != "auto" && b != "gloo" && b != "nccl")
        throw ConfigError("\"" + b + "\" is not auto, gloo or nccl", {}, "distributed.backend");
    bool nccl = b == "nccl" || (b == "auto" && device.is_cuda());
#ifndef MEDULLA_WITH_NCCL
    if (b == "nccl")
        throw ConfigError("this build has no NCCL (LibTorch without CUDA); use \"gloo\"", {},
                          "distributed.backend");
    nccl = false;
#endif
    if (nccl && !device.is_cuda())
        throw ConfigError("NCCL needs a CUDA device (trainer.device)", {}, "distributed.backend");
    ctx->backend_ = nccl ? "nccl" : "gloo";
    ctx->device_ = nccl ? device : c10::Device(c10::kCPU);
    const auto timeout = ctx->timeout();
    const std::string where = env.masterAddr + ":" + std::to_string(env.masterPort);
    try {
        c10d::TCPStoreOptions so;
        so.port = uint16_t(env.masterPort);
        so.isServer = env.rank == 0;
        so.numWorkers = size_t(env.worldSize);
        so.waitWorkers = true;
        // meeting may take longer than a collective (processes starting):
        // at least 30 s
        so.timeout = std::max(timeout, std::chrono::milliseconds(30000));
        ctx->store_ = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, so);
    } catch (const std::exception& e) {
        throw DistributedError("rank " + std::to_string(env.rank) + " of " +
                               std::to_string(env.worldSize) + " could not meet the others at " +
                               where + ": " + firstLine(e.what()));
    }
    try {
        auto store = c10::make_intrusive<c10d::PrefixStore>("pg", ctx->store_);
#ifdef MEDULLA_WITH_NCCL
        if (nccl) {
            // surface timeouts and peer failures as errors instead of hangs
            setenv("NCCL_ASYNC_ERROR_HANDLING", "1", 0);
            auto o = c10d::ProcessGroupNCCL::Options::create();
            o->timeout = timeout;
            ctx->group_ =
                c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env.rank, env.worldSize, o);
        }
#endif
        if (!nccl) {
            auto o = c10d::ProcessGroupGloo::Options::create(timeout);
            // loopback when everything runs on one machine, else the
            // address the master's name resolves to from here
            const bool local = env.masterAddr == "127.0.0.1" || env.masterAddr == "localhost";
            o->devices.push_back(local
                                     ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                     : c10d::ProcessGroupGloo::createDefaultDevice());
            o->threads = 2;
            ctx->group_ =
                c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.worldSize, o);
        }
    } catch (const std::exception& e) {
        throw DistributedError("rank " + std::to_string(env.rank) + ": the " + ctx->backend_ +
                               " process group (rendezvous at " + where +
                               ") could not be created: " + firstLine(e.what()));
    }
    std::lock_guard<std::mutex> lock(g_currentMutex);
    g_current = ctx;
    return ctx;
}

std::chrono::milliseconds DistributedContext::timeout() const {
    return std::chrono::milliseconds(int64_t(options_.timeout_s() * 1000.0));
}

c10d::ProcessGroup& DistributedContext::group() {
    return *group_;
}

c10d::Store& DistributedContext::store() {
    return *store_;
}

void DistributedContext::fail(const char* what, const std::exception& cause) const {
    const std::string detail = firstLine(cause.what());
    throw DistributedError("rank " + std::to_string(rank()) + " of " + std::to_string(worldSize()) +
                           ": " + what +
                           " failed: another process exited or did not answer within " +
                           seconds(timeout()) + " (" + detail + ")");
}

void DistributedContext::allReduceSum(at::Tensor& tensor, const char* what) {
    try {
        std::vector<at::Tensor> t{tensor};
        group_->allreduce(t)->wait();
    } catch (const std::exception& e) {
        fail(what, e);
    }
}

void DistributedContext::allReduceMax(at::Tensor& tensor, const char* what) {
    try {
        std::vector<at::Tensor> t{tensor};
        c10d::AllreduceOptions o;
        o.reduceOp = c10d::ReduceOp::MAX;
        group_->allreduce(t, o)->wait();
    } catch (const std::exception& e) {
        fail(what, e);
    }
}

void DistributedContext::broadcast(std::vector<at::Tensor>& tensors, int root, const char* what) {
    try {
        c10d::BroadcastOptions o;
        o.rootRank = root;
        // one call per tensor: Gloo broadcasts a list only when it is one
        // tensor per device
        for (auto& t : tensors) {
            std::vector<at::Tensor> one{t};
            group_->broadcast(one, o)->wait();
        }
    } catch (const std::exception& e) {
        fail(what, e);
    }
}

std::vector<at::Tensor> DistributedContext::allGather(const at::Tensor& local, const char* what) {
    try {
        std::vector<at::Tensor> in{local.contiguous()};
        std::vector<std::vector<at::Tensor>> out(1);
        for (int r = 0; r < worldSize(); ++r)
            out[0].push_back(torch::empty_like(in[0]));
        group_->allgather(out, in)->wait();
        return out[0];
    } catch (const std::exception& e) {
        fail(what, e);
    }
}

std::vector<at::Tensor> DistributedContext::allGatherRows(const at::Tensor& local,
                                                          const char* what) {
    at::Tensor n = torch::tensor({local.size(0)}, torch::dtype(torch::kLong).device(device_));
    at::Tensor maxRows = n.clone();
    allReduceMax(maxRows, what);
    const int64_t m = maxRows.cpu().item<int64_t>();
    if (m == 0) // nobody has rows (no zero-size messages)
        return std::vector<at::Tensor>(size_t(worldSize()), local);
    const std::vector<at::Tensor> counts = allGather(n, what);
    std::vector<int64_t> shape = local.sizes().vec();
    shape[0] = m;
    at::Tensor padded = torch::zeros(shape, local.options().device(device_));
    if (local.size(0) > 0)
        padded.narrow(0, 0, local.size(0)).copy_(local);
    std::vector<at::Tensor> all = allGather(padded, what);
    for (size_t r = 0; r < all.size(); ++r)
        all[r] = all[r].narrow(0, 0, counts[r].cpu().item<int64_t>()).to(local.device());
    return all;
}

std::vector<std::vector<std::string>>
DistributedContext::allGatherStrings(const std::vector<std::string>& local) {
    // one byte row per rank: the strings separated by '\0'
    std::string joined;
    for (const auto& s : local)
        joined += s + '\0';
    at::Tensor bytes = torch::empty({int64_t(joined.size())}, torch::kUInt8);
    std::memcpy(bytes.data_ptr(), joined.data(), joined.size());
    std::vector<std::vector<std::string>> out;
    for (const at::Tensor& row : allGatherRows(bytes.to(device_), "all-gather of names")) {
        const at::Tensor c = row.cpu().contiguous();
        const std::string all(reinterpret_cast<const char*>(c.data_ptr()), size_t(c.numel()));
        std::vector<std::string> strings;
        size_t start = 0;
        for (size_t i = 0; i < all.size(); ++i)
            if (all[i] == '\0') {
                strings.push_back(all.substr(start, i - start));
                start = i + 1;
            }
        out.push_back(std::move(strings));
    }
    return out;
}

double DistributedContext::mean(double local) {
    at::Tensor t = torch::tensor({local}, torch::dtype(torch::kDouble).device(device_));
    allReduceSum(t, "all-reduce of a mean");
    return t.item<double>() / worldSize();
}

void DistributedContext::barrier() {
    // an all-reduce of one element (ProcessGroupGloo's barrier waits
    // without the collective timeout on some versions)
    at::Tensor t = torch::zeros({1}, torch::dtype(torch::kFloat).device(device_));
    allReduceSum(t, "barrier");
}

} // namespace medulla
