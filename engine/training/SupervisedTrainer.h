#pragma once
/// MONAI's SupervisedTrainer: a Workflow whose iteration takes the next
/// batch of a DataLoader, runs the network and the loss, backpropagates and
/// steps the optimizer. Everything else (lr schedules, validation,
/// checkpoints, logs, early stopping) is a Handler attached to it.
///
/// One iteration (events of the iteration in capitals, MONAI's
/// IterationEvents):
///   batch = loader.next(); input, target = prepareBatch(batch)
///   network.train(); optimizer.zero_grad() (first batch of a group)
///   hooks.autocast { pred = network(input)  FORWARD_COMPLETED
///                    loss = loss_fn(pred, target).mean() (+ the network's
///                    auxiliaryLoss())            LOSS_COMPLETED }
///   non-finite loss -> nan_policy (below)
///   hooks.beforeBackward(last of group)
///   hooks.backward(loss / accumulation_steps)    BACKWARD_COMPLETED
///   hooks.step(optimizer) (last of a group)      MODEL_COMPLETED
/// state().output["loss"] holds the iteration's loss (before the policy).
///
/// nan_policy: "stop" throws medulla::Error naming the epoch, the iteration
/// and the cases of the batch; "skip" leaves the parameters and the
/// optimizer state untouched for that batch, counts it (skippedIterations())
/// and fires "NAN_LOSS_SKIPPED".
///
/// Threads: run() on one thread; the network, optimizer and loader belong to
/// that thread while it runs.

#include <torch/arg.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/data/DataLoader.h"
#include "engine/losses/Loss.h"
#include "engine/networks/Network.h"
#include "engine/training/StepHooks.h"
#include "engine/training/Workflow.h"

namespace medulla {

struct SupervisedTrainerOptions {
    /// Epochs of the run (MONAI's max_epochs), >= 1.
    TORCH_ARG(int64_t, max_epochs) = 1;
    /// Batch key of the network input.
    TORCH_ARG(std::string, image_key) = "image";
    /// Batch key of the loss target.
    TORCH_ARG(std::string, label_key) = "label";
    /// Feed the input channels-last and convert the network to that layout
    /// at construction (CPU 3D speed-up, see MemoryFormat.h).
    TORCH_ARG(bool, channels_last) = false;
    /// "stop" or "skip" (see the class comment).
    TORCH_ARG(std::string, nan_policy) = "stop";
    /// MONAI's amp flag. The trainer only records it: mixed precision itself
    /// is installed with setStepHooks() by whoever builds the trainer.
    TORCH_ARG(bool, amp) = false;
    /// The configuration field that built the batches, named by errors
    /// about them (missing keys).
    TORCH_ARG(std::string, data_field) = "train_transforms";
    /// Gradient accumulation (MONAI's GradientAccumulation): gradients of
    /// this many consecutive batches are summed, each loss divided by the
    /// count, and the optimizer steps once per group (the last group of an
    /// epoch may be shorter and steps at the epoch's end). 1: every batch.
    TORCH_ARG(int64_t, accumulation_steps) = 1;
};

class SupervisedTrainer : public Workflow {
public:
    /// Custom events fired during an iteration.
    static constexpr const char* kForwardCompleted = "FORWARD_COMPLETED";
    static constexpr const char* kLossCompleted = "LOSS_COMPLETED";
    static constexpr const char* kBackwardCompleted = "BACKWARD_COMPLETED";
    static constexpr const char* kModelCompleted = "MODEL_COMPLETED";
    /// Fired instead of the backward/step events when nan_policy "skip"
    /// skipped the batch.
    static constexpr const char* kNanLossSkipped = "NAN_LOSS_SKIPPED";

    /// `loader` must outlive the trainer. The network should already be on
    /// `device`; the optimizer must hold its parameters. Throws ConfigError
    /// naming "max_epochs" or "nan_policy" for invalid options.
    SupervisedTrainer(c10::Device device, DataLoader& loader, NetworkPtr network,
                      std::shared_ptr<torch::optim::Optimizer> optimizer, LossPtr loss,
                      SupervisedTrainerOptions options = {});

    std::string name() const override { return "trainer"; }

    /// Replaces the step hooks (AMP); empty members mean the plain step.
    void setStepHooks(StepHooks hooks) { hooks_ = std::move(hooks); }
    const StepHooks& stepHooks() const { return hooks_; }

    const SupervisedTrainerOptions& options() const { return options_; }
    c10::Device device() const { return device_; }
    Network& network() { return *network_; }
    const NetworkPtr& networkPtr() const { return network_; }
    torch::optim::Optimizer& optimizer() { return *optimizer_; }
    DataLoader& loader() { return loader_; }
    /// The lr of the first parameter group now.
    double learningRate() const;

    /// Batches skipped by nan_policy "skip" over the trainer's life.
    int64_t skippedIterations() const { return skipped_; }
    /// The case ids of the last batch (see caseIds() in PrepareBatch.h).
    const std::vector<std::string>& lastCaseIds() const { return lastCases_; }

protected:
    int64_t epochLength() override;
    void startEpoch(int64_t epoch, int64_t skip) override;
    void iterate(const CancelToken& cancel) override;

private:
    c10::Device device_;
    DataLoader& loader_;
    NetworkPtr network_;
    std::shared_ptr<torch::optim::Optimizer> optimizer_;
    LossPtr loss_;
    SupervisedTrainerOptions options_;
    StepHooks hooks_;
    int64_t skipped_ = 0;
    std::vector<std::string> lastCases_;
};

} // namespace medulla
