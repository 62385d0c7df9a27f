#include "engine/training/SupervisedEvaluator.h"

#include <torch/torch.h>

#include <stdexcept>

namespace medulla {
namespace {

/// Pads the spatial axes at their end to multiples of k.
at::Tensor padToMultiple(const at::Tensor& x, int64_t k) {
    if (k <= 1)
        return x;
    std::vector<int64_t> pad;
    for (int64_t d = x.dim() - 1; d >= 2; --d) {
        pad.push_back(0);
        pad.push_back((k - x.size(d) % k) % k);
    }
    return torch::constant_pad_nd(x, pad, 0);
}

} // namespace

at::Tensor inferNetwork(Network& network, const Inferer& inferer, const at::Tensor& input,
                        const StepHooks& hooks, const CancelToken* cancel) {
    torch::NoGradGuard noGrad;
    network.eval();
    const int64_t divisor = network.sizeDivisor();
    const Predictor predictor = [&](const at::Tensor& x) {
        at::Tensor out = network.forward(padToMultiple(x, divisor));
        for (int64_t d = 2; d < x.dim() && d < out.dim(); ++d)
            out = out.narrow(d, 0, x.size(d));
        return out;
    };
    at::Tensor pred;
    auto body = [&] { pred = inferer(input, predictor, cancel); };
    if (hooks.autocast)
        hooks.autocast(body);
    else
        body();
    return pred;
}

SupervisedEvaluator::SupervisedEvaluator(c10::Device device, DataLoader& loader, NetworkPtr network,
                                         EvaluatorOptions options, MetricPtr keyMetric,
                                         InfererPtr inferer)
    : Evaluator(device, loader, std::move(options), std::move(keyMetric)),
      network_(std::move(network)) {
    if (!network_)
        throw std::invalid_argument("SupervisedEvaluator needs a network");
    setInferer(std::move(inferer));
}

void SupervisedEvaluator::setInferer(InfererPtr inferer) {
    inferer_ = inferer ? std::move(inferer) : std::make_shared<SimpleInferer>();
}

at::Tensor SupervisedEvaluator::predict(const at::Tensor& input, const CancelToken* cancel) {
    return inferNetwork(*network_, *inferer_, input, stepHooks(), cancel);
}

} // namespace medulla
