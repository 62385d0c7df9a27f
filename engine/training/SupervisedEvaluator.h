#pragma once
/// MONAI's SupervisedEvaluator: an Evaluator (see Evaluator.h: one pass
/// over the loader, post-processing, key and additional metrics, per-case
/// table, lastOutput() for handlers) whose prediction is one network run
/// through an Inferer:
///   network.eval(), no grad: hooks.autocast { pred = inferer(input,
///     predictor) }    the predictor pads the input to the network's size
///                     divisor and crops its output back
///
/// Threads: run() on one thread; the network is shared with the trainer and
/// must not be used elsewhere while it runs.

#include <memory>

#include "engine/inference/Inferer.h"
#include "engine/networks/Network.h"
#include "engine/training/Evaluator.h"

namespace medulla {

using SupervisedEvaluatorOptions = EvaluatorOptions;

/// One network's prediction through an inferer: `network` in eval mode, no
/// gradients, inside hooks.autocast when set; each window is padded at its
/// end to the network's size divisor and the output cropped back.
/// input (B, C_in, *spatial) on the network's device -> (B, C, *spatial).
at::Tensor inferNetwork(Network& network, const Inferer& inferer, const at::Tensor& input,
                        const StepHooks& hooks, const CancelToken* cancel = nullptr);

class SupervisedEvaluator : public Evaluator {
public:
    /// `loader` must outlive the evaluator. `keyMetric` null: DiceMetric
    /// without the background; `inferer` null: SimpleInferer.
    SupervisedEvaluator(c10::Device device, DataLoader& loader, NetworkPtr network,
                        EvaluatorOptions options = {}, MetricPtr keyMetric = nullptr,
                        InfererPtr inferer = nullptr);

    std::string name() const override { return "evaluator"; }

    void setInferer(InfererPtr inferer);
    /// The inferer's prediction for `input` (B, C, *spatial) on the device:
    /// network in eval mode, no gradients, padded to the size divisor.
    at::Tensor predict(const at::Tensor& input, const CancelToken* cancel = nullptr) override;
    int64_t numClasses() const override { return network_->outChannels(); }
    Network& network() { return *network_; }

private:
    NetworkPtr network_;
    InfererPtr inferer_;
};

} // namespace medulla
