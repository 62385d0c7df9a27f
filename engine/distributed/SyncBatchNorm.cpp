#include "engine/distributed/SyncBatchNorm.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>

#include "engine/distributed/DistributedContext.h"
#include "engine/networks/Layers.h"

namespace medulla {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

/// (1, C, 1, ..., 1) for an input (N, C, *spatial).
std::vector<int64_t> channelShape(const at::Tensor& x) {
    std::vector<int64_t> s(size_t(x.dim()), 1);
    s[1] = x.size(1);
    return s;
}

/// Every axis but the channel axis 1.
std::vector<int64_t> reduceDims(const at::Tensor& x) {
    std::vector<int64_t> d{0};
    for (int64_t i = 2; i < x.dim(); ++i)
        d.push_back(i);
    return d;
}

/// x_hat = (x - mean) * invstd, mean and invstd (C) being the statistics of
/// the global batch (all ranks). Backward is the input gradient of a batch
/// norm over the global batch: with g = dL/dx_hat and N values per channel
/// over all ranks,
///   dL/dx = invstd * (g - sum(g) / N - x_hat * sum(g * x_hat) / N),
/// the two sums all-reduced over the ranks. mean and invstd get no gradient
/// (their dependence on x is what the formula accounts for).
struct GlobalNormalize : torch::autograd::Function<GlobalNormalize> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& mean,
                              const at::Tensor& invstd, int64_t total) {
        const auto shape = channelShape(x);
        at::Tensor xhat = (x - mean.view(shape)) * invstd.view(shape);
        ctx->save_for_backward({xhat, invstd});
        ctx->saved_data["total"] = total;
        return xhat;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const at::Tensor& xhat = saved[0];
        const at::Tensor& invstd = saved[1];
        const double total = double(ctx->saved_data["total"].toInt());
        at::Tensor g = grads[0].defined() ? grads[0] : torch::zeros_like(xhat);
        const auto dims = reduceDims(xhat);
        const auto shape = channelShape(xhat);

        auto group = DistributedContext::current();
        if (!group)
            throw DistributedError("SyncBatchNorm backward: the process left its distributed "
                                   "run between the forward and the backward pass");
        at::Tensor sums =
            torch::stack({g.sum(dims), (g * xhat).sum(dims)}).to(group->device(), torch::kDouble);
        group->allReduceSum(sums, "SyncBatchNorm backward all-reduce");
        sums = (sums / total).to(xhat.device(), xhat.scalar_type());
        at::Tensor dx = (g - sums[0].view(shape) - xhat * sums[1].view(shape)) * invstd.view(shape);
        return {dx, at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

bool isReduced(c10::ScalarType t) {
    return t == torch::kHalf || t == torch::kBFloat16;
}

} // namespace

SyncBatchNormImpl::SyncBatchNormImpl(const torch::nn::BatchNormOptions& options_)
    : options(options_) {
    reset();
}

void SyncBatchNormImpl::reset() {
    const int64_t c = options.num_features();
    if (options.affine()) {
        weight = register_parameter("weight", torch::empty({c}));
        bias = register_parameter("bias", torch::empty({c}));
    } else {
        weight = register_parameter("weight", at::Tensor(), /*requires_grad=*/false);
        bias = register_parameter("bias", at::Tensor(), /*requires_grad=*/false);
    }
    if (options.track_running_stats()) {
        running_mean = register_buffer("running_mean", torch::zeros({c}));
        running_var = register_buffer("running_var", torch::ones({c}));
        num_batches_tracked =
            register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
    } else {
        running_mean = register_buffer("running_mean", at::Tensor());
        running_var = register_buffer("running_var", at::Tensor());
        num_batches_tracked = register_buffer("num_batches_tracked", at::Tensor());
    }
    reset_parameters();
}

void SyncBatchNormImpl::reset_running_stats() {
    if (!options.track_running_stats())
        return;
    torch::NoGradGuard ng;
    running_mean.zero_();
    running_var.fill_(1.0);
    num_batches_tracked.zero_();
}

void SyncBatchNormImpl::reset_parameters() {
    reset_running_stats();
    if (!options.affine())
        return;
    torch::NoGradGuard ng;
    weight.fill_(1.0);
    bias.zero_();
}

at::Tensor SyncBatchNormImpl::forward(const at::Tensor& x) {
    if (x.dim() < 2 || x.size(1) != options.num_features())
        throw Error("SyncBatchNorm(" + std::to_string(options.num_features()) + ") expects (N, " +
                    std::to_string(options.num_features()) + ", *spatial), got " +
                    c10::str(x.sizes()));
    const bool track = options.track_running_stats();
    // as BatchNorm{1,2,3}d: momentum unset = cumulative moving average
    double factor = options.momentum().value_or(0.0);
    if (is_training() && track) {
        num_batches_tracked += 1;
        if (!options.momentum())
            factor = 1.0 / num_batches_tracked.item<double>();
    }
    auto group = DistributedContext::current();
    if (!is_training() || !group || group->worldSize() <= 1)
        return torch::nn::functional::batch_norm(x, running_mean, running_var,
                                                 torch::nn::functional::BatchNormFuncOptions()
                                                     .weight(weight)
                                                     .bias(bias)
                                                     .training(is_training() || !track)
                                                     .momentum(factor)
                                                     .eps(options.eps()));

    // Per-rank (count, mean, M2 = sum of squared deviations from the mean):
    // combined exactly (Chan et al.) instead of from sums of squares, which
    // lose precision when |mean| >> std.
    const int64_t c = x.size(1);
    const int64_t n = x.numel() / c;
    at::Tensor local = torch::zeros({2 * c + 1}, x.options().dtype(torch::kDouble));
    if (n > 0) {
        torch::NoGradGuard ng;
        const at::Tensor xs = isReduced(x.scalar_type()) ? x.to(torch::kFloat) : x;
        auto [var, mean] = torch::var_mean(xs, reduceDims(x), /*unbiased=*/false);
        local[0] = double(n);
        local.narrow(0, 1, c).copy_(mean);
        local.narrow(0, 1 + c, c).copy_(var.to(torch::kDouble) * double(n));
    }
    const std::vector<at::Tensor> all =
        group->allGather(local.to(group->device()), "SyncBatchNorm statistics all-gather");
    const at::Tensor stats = torch::stack(all).to(x.device()); // (W, 2C + 1)
    const at::Tensor counts = stats.narrow(1, 0, 1);
    const double total = counts.sum().item<double>();
    if (total <= 1.0)
        throw Error("SyncBatchNorm: expected more than 1 value per channel over all " +
                    std::to_string(group->worldSize()) + " ranks when training, got " +
                    c10::str(total) + " (input size " + c10::str(x.sizes()) + " on rank " +
                    std::to_string(group->rank()) + ")");
    const at::Tensor means = stats.narrow(1, 1, c);
    const at::Tensor mean = (counts * means).sum(0) / total;
    const at::Tensor m2 =
        stats.narrow(1, 1 + c, c).sum(0) + (counts * (means - mean).square()).sum(0);
    const at::Tensor var = m2 / total;

    if (track) {
        torch::NoGradGuard ng;
        running_mean.mul_(1.0 - factor).add_(mean.to(running_mean.scalar_type()), factor);
        running_var.mul_(1.0 - factor)
            .add_((m2 / (total - 1.0)).to(running_var.scalar_type()), factor);
    }

    const at::Tensor invstd = (var + options.eps()).rsqrt();
    at::Tensor y = GlobalNormalize::apply(x, mean.to(x.scalar_type()), invstd.to(x.scalar_type()),
                                          int64_t(total));
    if (options.affine()) {
        const auto shape = channelShape(x);
        y = y * weight.to(x.scalar_type()).view(shape) + bias.to(x.scalar_type()).view(shape);
    }
    return y;
}

void SyncBatchNormImpl::pretty_print(std::ostream& stream) const {
    stream << "medulla::SyncBatchNorm(" << options.num_features() << ", eps=" << options.eps()
           << ", momentum=";
    if (options.momentum())
        stream << *options.momentum();
    else
        stream << "None";
    stream << ", affine=" << std::boolalpha << options.affine()
           << ", track_running_stats=" << options.track_running_stats() << ")";
}

void registerSyncBatchNorm() {
    setSyncBatchNormFactory([](const torch::nn::BatchNormOptions& o, int /*dims*/) {
        return torch::nn::AnyModule(SyncBatchNorm(o));
    });
}

namespace {

bool isBatchName(const Json& v) {
    if (!v.is_string())
        return false;
    std::string s = v.get<std::string>();
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    return s == "batch";
}

bool isNormKey(std::string key) {
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    return key.find("norm") != std::string::npos;
}

void convert(Json& j) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            Json& v = it.value();
            if (isNormKey(it.key())) {
                if (isBatchName(v)) {
                    v = "syncbatch";
                    continue;
                }
                if (v.is_array() && !v.empty() && isBatchName(v[0])) {
                    v[0] = "syncbatch";
                    continue;
                }
            }
            convert(v);
        }
    } else if (j.is_array()) {
        for (Json& v : j)
            convert(v);
    }
}

} // namespace

Json withSyncBatchNorm(const Json& network) {
    Json out = network;
    convert(out);
    return out;
}

} // namespace medulla
