#pragma once
/// MONAI's SupervisedEvaluator: a Workflow that runs over validation
/// batches once (one epoch per run), predicts each batch with an Inferer,
/// post-processes prediction and label, and feeds them to a key metric and
/// any additional metrics. At EpochCompleted (before any handler's
/// callback) the metrics are aggregated into state().metrics and the best
/// key metric (higher is better) is tracked in state().bestMetric /
/// bestMetricEpoch; the per-case table of the run is table().
///
/// One iteration:
///   batch = loader.next(); input, label = prepareBatch(batch)
///   network.eval(), no grad: hooks.autocast { pred = inferer(input,
///     predictor) }    the predictor pads the input to the network's size
///                     divisor and crops its output back
///   y_pred, y = postprocessing(pred, label)   (default: argmax + one-hot of
///                     the prediction, one-hot of the label)
///   metric(y_pred, y, {spacing of each row, case ids}) for every metric
///
/// Threads: run() on one thread; the network is shared with the trainer and
/// must not be used elsewhere while it runs.

#include <torch/arg.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/data/DataLoader.h"
#include "engine/inference/Inferer.h"
#include "engine/metrics/Metric.h"
#include "engine/networks/Network.h"
#include "engine/training/StepHooks.h"
#include "engine/training/Workflow.h"

namespace medulla {

struct SupervisedEvaluatorOptions {
    TORCH_ARG(std::string, image_key) = "image";
    TORCH_ARG(std::string, label_key) = "label";
    /// Feed the input channels-last (the trainer converted the network).
    TORCH_ARG(bool, channels_last) = false;
    /// The key metric's name in state().metrics (MONAI's key_val_metric key).
    TORCH_ARG(std::string, key_metric_name) = "val_mean_dice";
    /// Classes of the default post-processing (labels 0..num_classes-1);
    /// 0: the network's outChannels().
    TORCH_ARG(int64_t, num_classes) = 0;
    /// The configuration field that built the batches, named by errors.
    TORCH_ARG(std::string, data_field) = "val_transforms";
};

/// (prediction, label) -> (y_pred, y) as the metrics take them.
using PostProcessing = std::function<std::pair<at::Tensor, at::Tensor>(const at::Tensor& pred,
                                                                       const at::Tensor& label)>;

class SupervisedEvaluator : public Workflow {
public:
    /// `loader` must outlive the evaluator (batch_size 1 unless every case
    /// has the same size). `keyMetric` null: DiceMetric without the
    /// background, built through metricRegistry(); `inferer` null:
    /// SimpleInferer.
    SupervisedEvaluator(c10::Device device, DataLoader& loader, NetworkPtr network,
                        SupervisedEvaluatorOptions options = {}, MetricPtr keyMetric = nullptr,
                        InfererPtr inferer = nullptr);

    std::string name() const override { return "evaluator"; }

    /// One evaluation labelled with the trainer's epoch `globalEpoch`
    /// (MONAI's Evaluator.run(global_epoch)): state().epoch becomes
    /// globalEpoch, bestMetricEpoch counts in trainer epochs. Returns
    /// Completed, or Cancelled when `cancel` fired between batches.
    JobState run(int64_t globalEpoch, const CancelToken& cancel);
    using Workflow::run;

    /// Another metric (MONAI's additional_metrics), stored under `name`.
    void addMetric(const std::string& name, MetricPtr metric);
    void setInferer(InfererPtr inferer);
    /// Replaces the default argmax + one-hot post-processing.
    void setPostprocessing(PostProcessing post) { post_ = std::move(post); }
    /// AMP: only hooks.autocast is used.
    void setStepHooks(StepHooks hooks) { hooks_ = std::move(hooks); }

    /// The inferer's prediction for `input` (B, C, *spatial) on the device:
    /// network in eval mode, no gradients, padded to the size divisor.
    at::Tensor predict(const at::Tensor& input, const CancelToken* cancel = nullptr);

    const Metric& keyMetric() const { return *metrics_.front().second; }
    /// The metrics in order, the key metric first.
    const std::vector<std::pair<std::string, MetricPtr>>& metrics() const { return metrics_; }
    /// Per-case table of the last run: the columns of every metric side by
    /// side (the key metric's first), one row per case.
    MetricTable table() const;
    /// True when the last completed run set a new best key metric.
    bool improved() const { return improved_; }
    const SupervisedEvaluatorOptions& options() const { return options_; }
    Network& network() { return *network_; }

protected:
    int64_t epochLength() override;
    void startEpoch(int64_t epoch, int64_t skip) override;
    void iterate(const CancelToken& cancel) override;

private:
    void aggregate();

    c10::Device device_;
    DataLoader& loader_;
    NetworkPtr network_;
    SupervisedEvaluatorOptions options_;
    std::vector<std::pair<std::string, MetricPtr>> metrics_;
    InfererPtr inferer_;
    PostProcessing post_;
    StepHooks hooks_;
    bool improved_ = false;
};

} // namespace medulla
