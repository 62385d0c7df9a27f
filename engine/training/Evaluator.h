#pragma once
/// The base of MONAI's evaluators (SupervisedEvaluator, EnsembleEvaluator):
/// a Workflow that runs over the batches of a loader once (one epoch per
/// run), asks the subclass for a prediction of each batch, post-processes
/// prediction and label, and feeds them to a key metric and any additional
/// metrics. At EpochCompleted (before any handler's callback) the metrics
/// are aggregated into state().metrics and the best key metric (higher is
/// better) is tracked in state().bestMetric / bestMetricEpoch; the per-case
/// table of the run is table().
///
/// One iteration:
///   batch = loader.next(); input, label = prepareBatch(batch)
///   pred = predict(input)            (subclass; scores whose argmax over
///                                     the channel axis is the label)
///   when the batch has a label:
///     y_pred, y = postprocessing(pred, label)   (default: argmax + one-hot
///                     of the prediction, one-hot of the label)
///     metric(y_pred, y, {spacing of each row, case ids}) for every metric
///   lastOutput() = {batch records, pred, label}   for IterationCompleted's
///                     handlers (SegmentationSaver)
/// A batch without the label key is an error unless require_label is false
/// (inference on unlabelled images: predictions only, no metrics).
///
/// Threads: run() on one thread; the networks are shared with whoever built
/// them and must not be used elsewhere while it runs.

#include <torch/arg.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/data/DataLoader.h"
#include "engine/metrics/Metric.h"
#include "engine/training/StepHooks.h"
#include "engine/training/Workflow.h"

namespace medulla {

struct EvaluatorOptions {
    TORCH_ARG(std::string, image_key) = "image";
    TORCH_ARG(std::string, label_key) = "label";
    /// Feed the input channels-last (the trainer converted the network).
    TORCH_ARG(bool, channels_last) = false;
    /// The key metric's name in state().metrics (MONAI's key_val_metric key).
    TORCH_ARG(std::string, key_metric_name) = "val_mean_dice";
    /// Classes of the default post-processing (labels 0..num_classes-1);
    /// 0: the subclass's numClasses() (the network's outChannels()).
    TORCH_ARG(int64_t, num_classes) = 0;
    /// The configuration field that built the batches, named by errors.
    TORCH_ARG(std::string, data_field) = "val_transforms";
    /// false: batches without label_key are predicted but not scored.
    TORCH_ARG(bool, require_label) = true;
};

/// (prediction, label) -> (y_pred, y) as the metrics take them.
using PostProcessing = std::function<std::pair<at::Tensor, at::Tensor>(const at::Tensor& pred,
                                                                       const at::Tensor& label)>;

/// What the last iteration produced, for IterationCompleted's handlers.
struct EvaluatorOutput {
    /// Each row's metadata: paths, meta, applied transforms (Batch::records)
    /// and the affine of the image on its transformed grid.
    std::vector<Sample> records;
    std::vector<Affine> affines;
    /// (B, C, *spatial) on the evaluator's device, contiguous (not
    /// channels-last): scores whose argmax over C is the predicted label.
    at::Tensor prediction;
    /// (B, 1, *spatial) label map; undefined when the batch had none.
    at::Tensor label;
};

class Evaluator : public Workflow {
public:
    /// `loader` must outlive the evaluator (batch_size 1 unless every case
    /// has the same size). `keyMetric` null: DiceMetric without the
    /// background, built through metricRegistry().
    Evaluator(c10::Device device, DataLoader& loader, EvaluatorOptions options = {},
              MetricPtr keyMetric = nullptr);

    /// One evaluation labelled with the trainer's epoch `globalEpoch`
    /// (MONAI's Evaluator.run(global_epoch)): state().epoch becomes
    /// globalEpoch, bestMetricEpoch counts in trainer epochs. Returns
    /// Completed, or Cancelled when `cancel` fired between batches.
    JobState run(int64_t globalEpoch, const CancelToken& cancel);
    using Workflow::run;

    /// The prediction for `input` (B, C_in, *spatial) on the device: scores
    /// (B, C, *spatial) whose argmax over C is the label. No gradients.
    virtual at::Tensor predict(const at::Tensor& input, const CancelToken* cancel = nullptr) = 0;
    /// Classes of the prediction (its C).
    virtual int64_t numClasses() const = 0;

    /// Another metric (MONAI's additional_metrics), stored under `name`.
    void addMetric(const std::string& name, MetricPtr metric);
    /// Replaces the default argmax + one-hot post-processing.
    void setPostprocessing(PostProcessing post) { post_ = std::move(post); }
    /// The post-processing in use, applied to (prediction, label) as the
    /// metrics get them (EnsembleEvaluator scores its members with it).
    std::pair<at::Tensor, at::Tensor> postprocess(const at::Tensor& pred,
                                                  const at::Tensor& label) const {
        return post_(pred, label);
    }
    /// Called at the end of each run before the metrics are aggregated, with
    /// the metrics (a distributed run puts every rank's cases into them, see
    /// engine/training/DistributedRun.h). Empty: nothing.
    using MetricGather = std::function<void(std::vector<std::pair<std::string, MetricPtr>>&)>;
    void setMetricGather(MetricGather gather) { gather_ = std::move(gather); }
    /// AMP: only hooks.autocast is used.
    void setStepHooks(StepHooks hooks) { hooks_ = std::move(hooks); }
    const StepHooks& stepHooks() const { return hooks_; }
    const Metric& keyMetric() const { return *metrics_.front().second; }
    /// The metrics in order, the key metric first.
    const std::vector<std::pair<std::string, MetricPtr>>& metrics() const { return metrics_; }
    /// Per-case table of the last run: the columns of every metric side by
    /// side (the key metric's first), one row per scored case.
    MetricTable table() const;
    /// True when the last completed run set a new best key metric.
    bool improved() const { return improved_; }
    const EvaluatorOptions& options() const { return options_; }
    c10::Device device() const { return device_; }
    /// The last iteration's batch metadata and prediction (valid from its
    /// IterationCompleted until the next iteration starts).
    const EvaluatorOutput& lastOutput() const { return last_; }

protected:
    int64_t epochLength() override;
    void startEpoch(int64_t epoch, int64_t skip) override;
    void iterate(const CancelToken& cancel) override;

private:
    void aggregate();

    c10::Device device_;
    DataLoader& loader_;
    EvaluatorOptions options_;
    std::vector<std::pair<std::string, MetricPtr>> metrics_;
    MetricGather gather_;
    PostProcessing post_;
    StepHooks hooks_;
    EvaluatorOutput last_;
    bool improved_ = false;
};

} // namespace medulla
