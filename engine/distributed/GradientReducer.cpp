#include "engine/distributed/GradientReducer.h"

#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/functions/accumulate_grad.h>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/torch.h>

#include <chrono>
#include <mutex>

#include "engine/distributed/DistributedContext.h"

namespace medulla {

struct GradientReducer::Impl {
    struct Bucket {
        std::vector<size_t> params; ///< indices into `parameters`
        std::vector<int64_t> offsets;
        at::Tensor buffer; ///< flat, on the context's device
        size_t pending = 0;
        bool launched = false;
        std::vector<bool> hadGrad;
        c10::intrusive_ptr<c10d::Work> work;
    };

    std::shared_ptr<DistributedContext> context;
    std::vector<at::Tensor> parameters;
    std::vector<size_t> bucketOf;
    std::vector<Bucket> buckets;
    std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;
    std::vector<torch::autograd::FunctionPostHook*> hooks;

    mutable std::mutex mutex;
    bool sync = true;
    bool passActive = false;
    size_t nextBucket = 0;
    std::exception_ptr launchError;
    int64_t bytes = 0;
    double exposedWait = 0.0;
    int64_t hookLaunches = 0;

    void beginPassIfNeeded() {
        if (passActive)
            return;
        passActive = true;
        nextBucket = 0;
        for (auto& b : buckets) {
            b.pending = b.params.size();
            b.launched = false;
            b.work.reset();
        }
    }

    /// Copies the bucket's gradients in and starts its all-reduce. Caller
    /// holds the mutex.
    void launch(Bucket& b) {
        for (size_t k = 0; k < b.params.size(); ++k) {
            const at::Tensor& p = parameters[b.params[k]];
            at::Tensor slot = b.buffer.narrow(0, b.offsets[k], p.numel()).view(p.sizes());
            const at::Tensor& g = p.grad();
            b.hadGrad[k] = g.defined();
            if (g.defined())
                slot.copy_(g);
            else
                slot.zero_();
        }
        b.buffer.div_(context->worldSize());
        std::vector<at::Tensor> t{b.buffer};
        b.work = context->group().allreduce(t);
        b.launched = true;
        bytes += b.buffer.numel() * int64_t(b.buffer.element_size());
    }

    /// Launches every bucket that is ready and whose predecessors are all
    /// launched. Caller holds the mutex.
    void launchReady(bool fromHook) {
        while (nextBucket < buckets.size() && buckets[nextBucket].pending == 0) {
            launch(buckets[nextBucket++]);
            if (fromHook)
                ++hookLaunches;
        }
    }

    void onReady(size_t index) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!sync || launchError)
            return;
        try {
            beginPassIfNeeded();
            Bucket& b = buckets[bucketOf[index]];
            if (b.pending > 0)
                --b.pending;
            launchReady(true);
        } catch (...) { // reported by finishBackward(), not inside autograd
            launchError = std::current_exception();
        }
    }
};

namespace {

/// Runs after a parameter's gradient accumulator has updated its grad.
class ReadyHook : public torch::autograd::FunctionPostHook {
public:
    ReadyHook(std::weak_ptr<GradientReducer::Impl> impl, size_t index)
        : impl_(std::move(impl)), index_(index) {}
    torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                              const torch::autograd::variable_list&) override {
        if (auto impl = impl_.lock())
            impl->onReady(index_);
        return outputs;
    }

private:
    std::weak_ptr<GradientReducer::Impl> impl_;
    size_t index_;
};

} // namespace

GradientReducer::GradientReducer(std::shared_ptr<DistributedContext> context,
                                 std::vector<at::Tensor> parameters, GradientReducerOptions options)
    : impl_(std::make_shared<Impl>()) {
    if (!context)
        throw std::invalid_argument("GradientReducer: no distributed context");
    if (!(options.bucket_cap_mb() > 0) || !(options.first_bucket_mb() > 0))
        throw ConfigError("must be > 0", {}, "distributed.bucket_cap_mb");
    Impl& s = *impl_;
    s.context = std::move(context);
    for (auto& p : parameters)
        if (p.requires_grad())
            s.parameters.push_back(p);

    // the same network everywhere: count, elements and a hash of the shapes
    int64_t numel = 0, shapeHash = 17;
    for (const auto& p : s.parameters) {
        numel += p.numel();
        for (int64_t d : p.sizes())
            shapeHash = (shapeHash * 31 + d) % 1000000007;
        shapeHash = (shapeHash * 31 + int64_t(p.scalar_type())) % 1000000007;
    }
    at::Tensor signature = torch::tensor({int64_t(s.parameters.size()), numel, shapeHash},
                                         torch::dtype(torch::kLong).device(s.context->device()));
    for (const at::Tensor& other : s.context->allGather(signature, "network check"))
        if (!other.cpu().equal(signature.cpu()))
            throw ConfigError("the processes built different networks (" +
                                  std::to_string(s.parameters.size()) + " parameter tensors, " +
                                  std::to_string(numel) + " values on rank " +
                                  std::to_string(s.context->rank()) + ")",
                              {}, "network");

    // buckets in reverse order, split by size, dtype and device
    const double mb = 1024.0 * 1024.0;
    s.bucketOf.assign(s.parameters.size(), 0);
    std::vector<std::vector<size_t>> groups;
    double groupBytes = 0;
    for (size_t k = s.parameters.size(); k-- > 0;) {
        const at::Tensor& p = s.parameters[k];
        const double cap =
            (groups.size() <= 1 ? std::min(options.first_bucket_mb(), options.bucket_cap_mb())
                                : options.bucket_cap_mb()) *
            mb;
        const bool fits = !groups.empty() &&
                          groupBytes + double(p.numel() * p.element_size()) <= cap &&
                          s.parameters[groups.back().front()].scalar_type() == p.scalar_type() &&
                          s.parameters[groups.back().front()].device() == p.device();
        if (!fits) {
            groups.emplace_back();
            groupBytes = 0;
        }
        groups.back().push_back(k);
        groupBytes += double(p.numel() * p.element_size());
    }
    for (auto& g : groups) {
        Impl::Bucket b;
        b.params = g;
        int64_t n = 0;
        for (size_t k : g) {
            b.offsets.push_back(n);
            n += s.parameters[k].numel();
            s.bucketOf[k] = s.buckets.size();
        }
        b.hadGrad.assign(g.size(), false);
        b.buffer = torch::empty(
            {n}, torch::dtype(s.parameters[g.front()].scalar_type()).device(s.context->device()));
        s.buckets.push_back(std::move(b));
    }

    // a post hook on every gradient accumulator, kept alive by us
    for (size_t k = 0; k < s.parameters.size(); ++k) {
        auto acc = torch::autograd::impl::grad_accumulator(s.parameters[k]);
        if (!acc)
            throw std::invalid_argument("GradientReducer: a parameter is not a leaf");
        auto hook = std::make_unique<ReadyHook>(impl_, k);
        s.hooks.push_back(hook.get());
        acc->add_post_hook(std::move(hook));
        s.accumulators.push_back(std::move(acc));
    }
}

GradientReducer::~GradientReducer() {
    try {
        abandonPass();
    } catch (...) {
    }
    Impl& s = *impl_;
    for (size_t k = 0; k < s.accumulators.size(); ++k) {
        auto& hooks = s.accumulators[k]->post_hooks();
        for (auto it = hooks.begin(); it != hooks.end(); ++it)
            if (it->get() == s.hooks[k]) {
                hooks.erase(it);
                break;
            }
    }
}

void GradientReducer::setSynchronize(bool synchronize) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->sync = synchronize;
}

bool GradientReducer::synchronize() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->sync;
}

void GradientReducer::finishBackward() {
    Impl& s = *impl_;
    std::unique_lock<std::mutex> lock(s.mutex);
    if (!s.sync)
        return;
    if (s.launchError) {
        std::exception_ptr e = s.launchError;
        s.launchError = nullptr;
        s.passActive = false;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            s.context->fail("gradient all-reduce", x);
        }
    }
    const auto start = std::chrono::steady_clock::now();
    try {
        s.beginPassIfNeeded(); // no hook fired: nothing took part in the loss
        for (auto& b : s.buckets)
            b.pending = 0; // the rest count as ready, with zeros where no grad
        s.launchReady(false);
        for (auto& b : s.buckets)
            b.work->wait();
    } catch (const std::exception& e) {
        s.passActive = false;
        s.context->fail("gradient all-reduce", e);
    }
    s.exposedWait +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (auto& b : s.buckets) {
        for (size_t k = 0; k < b.params.size(); ++k) {
            at::Tensor& p = s.parameters[b.params[k]];
            at::Tensor slot = b.buffer.narrow(0, b.offsets[k], p.numel()).view(p.sizes());
            at::Tensor& g = p.mutable_grad();
            if (g.defined())
                g.copy_(slot);
            else
                g = slot.to(p.device(), /*non_blocking=*/false, /*copy=*/true);
        }
        b.work.reset();
    }
    s.passActive = false;
}

void GradientReducer::abandonPass() {
    Impl& s = *impl_;
    std::lock_guard<std::mutex> lock(s.mutex);
    for (auto& b : s.buckets) {
        if (b.work) {
            try {
                b.work->wait();
            } catch (...) {
            }
            b.work.reset();
        }
    }
    s.passActive = false;
    s.launchError = nullptr;
}

std::vector<std::vector<size_t>> GradientReducer::buckets() const {
    std::vector<std::vector<size_t>> out;
    for (const auto& b : impl_->buckets)
        out.push_back(b.params);
    return out;
}

int64_t GradientReducer::bytesReduced() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->bytes;
}

double GradientReducer::exposedWaitSeconds() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->exposedWait;
}

int64_t GradientReducer::bucketsLaunchedDuringBackward() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->hookLaunches;
}

} // namespace medulla
