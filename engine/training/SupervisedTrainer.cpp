#include "engine/training/SupervisedTrainer.h"

#include <torch/torch.h>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/networks/MemoryFormat.h"
#include "engine/training/PrepareBatch.h"

namespace medulla {

SupervisedTrainer::SupervisedTrainer(c10::Device device, DataLoader& loader, NetworkPtr network,
                                     std::shared_ptr<torch::optim::Optimizer> optimizer,
                                     LossPtr loss, SupervisedTrainerOptions options)
    : device_(device), loader_(loader), network_(std::move(network)),
      optimizer_(std::move(optimizer)), loss_(std::move(loss)), options_(std::move(options)) {
    if (!network_ || !optimizer_ || !loss_)
        throw std::invalid_argument("SupervisedTrainer needs a network, an optimizer and a loss");
    if (options_.max_epochs() < 1)
        throw ConfigError("must be >= 1", {}, "max_epochs");
    if (options_.accumulation_steps() < 1)
        throw ConfigError("must be >= 1", {}, "accumulation_steps");
    if (options_.nan_policy() != "stop" && options_.nan_policy() != "skip")
        throw ConfigError("\"" + options_.nan_policy() + "\" is not \"stop\" or \"skip\"", {},
                          "nan_policy");
    if (options_.channels_last())
        toChannelsLast(*network_);
    state().maxEpochs = options_.max_epochs();
}

double SupervisedTrainer::learningRate() const {
    return optimizer_->param_groups().front().options().get_lr();
}

int64_t SupervisedTrainer::epochLength() {
    return loader_.batchesPerEpoch();
}

void SupervisedTrainer::startEpoch(int64_t epoch, int64_t skip) {
    // The loader counts epochs from 0. Resume inside an epoch: the order and
    // the random transforms of a batch depend on (seed, epoch, position)
    // only, so starting at batch `skip` gives exactly the batches an
    // uninterrupted run would train on next.
    loader_.startEpoch(epoch - 1, skip);
}

void SupervisedTrainer::iterate(const CancelToken& cancel) {
    std::optional<Batch> batch = loader_.next(&cancel);
    if (!batch)
        throw Error("the data loader ended after " + std::to_string(state().epochIteration) +
                    " of the epoch's " + std::to_string(state().epochLength) + " batches");
    lastCases_ = caseIds(*batch, options_.image_key());
    PreparedBatch in = prepareBatch(*batch, options_.image_key(), options_.label_key(), device_,
                                    options_.channels_last(), options_.data_field());
    batch.reset(); // the device copies are all this iteration needs

    // position in the accumulation group: the first zeroes the gradients,
    // the last (or the epoch's last batch) steps the optimizer
    const int64_t steps = options_.accumulation_steps();
    const int64_t it = state().epochIteration; // 0-based here
    const bool firstOfGroup = it % steps == 0;
    const bool lastOfGroup = (it + 1) % steps == 0 || it + 1 >= state().epochLength;
    network_->train();
    if (firstOfGroup)
        optimizer_->zero_grad();
    at::Tensor loss;
    auto forwardAndLoss = [&] {
        at::Tensor pred = network_->forward(in.input);
        fire(kForwardCompleted);
        loss = (*loss_)(pred, in.target).mean();
        // Networks with a loss term of their own (SegResNetVAE's VAE loss).
        if (at::Tensor aux = network_->auxiliaryLoss(); aux.defined())
            loss = loss + aux;
        fire(kLossCompleted);
    };
    if (hooks_.autocast)
        hooks_.autocast(forwardAndLoss);
    else
        forwardAndLoss();

    const double value = loss.item<double>();
    state().output["loss"] = value;
    if (!std::isfinite(value)) {
        if (options_.nan_policy() == "skip") {
            ++skipped_;
            fire(kNanLossSkipped);
            return;
        }
        std::string cases;
        for (const auto& id : lastCases_)
            cases += (cases.empty() ? "" : ", ") + id;
        const std::string what = std::isnan(value) ? "NaN" : value > 0 ? "inf" : "-inf";
        throw Error("the loss became " + what + " at epoch " + std::to_string(state().epoch) +
                    ", iteration " + std::to_string(state().epochIteration + 1) + " of " +
                    std::to_string(state().epochLength) + " (cases: " + cases +
                    "); lower optimizer.lr, check the labels, or set trainer.nan_policy to "
                    "\"skip\"");
    }
    if (hooks_.beforeBackward)
        hooks_.beforeBackward(lastOfGroup);
    const at::Tensor scaled = steps > 1 ? loss / double(steps) : loss;
    if (hooks_.backward)
        hooks_.backward(scaled);
    else
        scaled.backward();
    fire(kBackwardCompleted);
    if (!lastOfGroup)
        return;
    if (hooks_.step)
        (void)hooks_.step(*optimizer_);
    else
        optimizer_->step();
    fire(kModelCompleted);
}

} // namespace medulla
