#pragma once
/// MONAI's GanTrainer on the Workflow engine: each iteration draws latents,
/// generates fakes, trains the discriminator `d_train_steps` times on
/// (fakes, reals), then trains the generator once (on fresh latents when
/// g_update_latents). state().output holds "g_loss" and "d_loss" (the sum
/// over the discriminator steps, as MONAI reports it).
///
/// Default losses are those of MONAI's GAN tutorial (binary cross-entropy
/// on the discriminator's probabilities, real label 1, fake label 0):
///   d_loss(fakes, reals) = (BCE(D(reals), 1) + BCE(D(fakes.detach()), 0)) / 2
///   g_loss(fakes)        = BCE(D(fakes), 1)
/// so the discriminator must end in a sigmoid (MONAI's Discriminator does by
/// default).
///
/// Threads: run() on one thread; the networks and optimizers are shared,
/// not owned, and must outlive the trainer.

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <functional>
#include <memory>
#include <vector>

#include "engine/training/Workflow.h"

namespace medulla {

class DataLoader;
class Network;

struct GanTrainerOptions {
    TORCH_ARG(int64_t, max_epochs) = 1;
    /// Latent shape of one sample, without the batch axis (e.g. {64}).
    TORCH_ARG(std::vector<int64_t>, latent_shape) = std::vector<int64_t>{64};
    /// Discriminator updates per iteration.
    TORCH_ARG(int64_t, d_train_steps) = 1;
    /// Draw new latents for the generator update.
    TORCH_ARG(bool, g_update_latents) = true;
    /// Key of the real images in the loader's batches.
    TORCH_ARG(std::string, image_key) = "image";
    TORCH_ARG(torch::Device, device) = torch::kCPU;
};

class GanTrainer : public Workflow {
public:
    /// d_loss(fakes, reals) and g_loss(fakes) return 0-d tensors.
    using DiscriminatorLoss = std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>;
    using GeneratorLoss = std::function<at::Tensor(const at::Tensor&)>;

    /// Throws ConfigError for d_train_steps < 1, an empty latent shape or
    /// max_epochs < 1. Empty loss functions select the tutorial's BCE losses.
    GanTrainer(GanTrainerOptions options, DataLoader& reals, torch::nn::Module& generator,
               torch::optim::Optimizer& gOptimizer, torch::nn::Module& discriminator,
               torch::optim::Optimizer& dOptimizer, DiscriminatorLoss dLoss = {},
               GeneratorLoss gLoss = {});

    std::string name() const override { return "gan_trainer"; }
    /// Fakes of the last iteration (detached), for previews.
    const at::Tensor& lastFakes() const { return fakes_; }

protected:
    int64_t epochLength() override;
    void startEpoch(int64_t epoch, int64_t skip) override;
    void iterate(const CancelToken& cancel) override;

private:
    at::Tensor latents(int64_t batch) const;
    at::Tensor generate(const at::Tensor& latents);
    at::Tensor discriminate(const at::Tensor& images);

    GanTrainerOptions options_;
    DataLoader& reals_;
    torch::nn::Module& generator_;
    torch::optim::Optimizer& gOptimizer_;
    torch::nn::Module& discriminator_;
    torch::optim::Optimizer& dOptimizer_;
    DiscriminatorLoss dLoss_;
    GeneratorLoss gLoss_;
    at::Tensor fakes_;
};

} // namespace medulla
