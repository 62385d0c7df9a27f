#include "engine/training/GanTrainer.h"

#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/data/DataLoader.h"
#include "engine/networks/Network.h"

namespace medulla {

namespace {

/// forward() of a Medulla network (or of any module that is one).
at::Tensor forwardOf(torch::nn::Module& m, const at::Tensor& x, const char* what) {
    if (auto* net = dynamic_cast<Network*>(&m))
        return net->forward(x);
    throw ConfigError(std::string("the ") + what + " must be a Medulla network", {}, what);
}

} // namespace

GanTrainer::GanTrainer(GanTrainerOptions options, DataLoader& reals, torch::nn::Module& generator,
                       torch::optim::Optimizer& gOptimizer, torch::nn::Module& discriminator,
                       torch::optim::Optimizer& dOptimizer, DiscriminatorLoss dLoss,
                       GeneratorLoss gLoss)
    : options_(std::move(options)), reals_(reals), generator_(generator), gOptimizer_(gOptimizer),
      discriminator_(discriminator), dOptimizer_(dOptimizer), dLoss_(std::move(dLoss)),
      gLoss_(std::move(gLoss)) {
    if (options_.d_train_steps() < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(options_.d_train_steps()), {},
                          "trainer.d_train_steps");
    if (options_.max_epochs() < 1)
        throw ConfigError("must be >= 1", {}, "trainer.max_epochs");
    if (options_.latent_shape().empty())
        throw ConfigError("needs at least one size", {}, "trainer.latent_shape");
    for (int64_t s : options_.latent_shape())
        if (s < 1)
            throw ConfigError("sizes must be >= 1", {}, "trainer.latent_shape");
    state().maxEpochs = options_.max_epochs();
    namespace F = torch::nn::functional;
    if (!dLoss_)
        dLoss_ = [this](const at::Tensor& fakes, const at::Tensor& reals) {
            const at::Tensor real = discriminate(reals);
            const at::Tensor fake = discriminate(fakes.detach());
            return (F::binary_cross_entropy(real, torch::ones_like(real)) +
                    F::binary_cross_entropy(fake, torch::zeros_like(fake))) /
                   2;
        };
    if (!gLoss_)
        gLoss_ = [this](const at::Tensor& fakes) {
            const at::Tensor out = discriminate(fakes);
            return F::binary_cross_entropy(out, torch::ones_like(out));
        };
}

at::Tensor GanTrainer::discriminate(const at::Tensor& images) {
    return forwardOf(discriminator_, images, "discriminator");
}

at::Tensor GanTrainer::generate(const at::Tensor& latents) {
    return forwardOf(generator_, latents, "generator");
}

at::Tensor GanTrainer::latents(int64_t batch) const {
    std::vector<int64_t> shape{batch};
    shape.insert(shape.end(), options_.latent_shape().begin(), options_.latent_shape().end());
    return torch::randn(shape, torch::TensorOptions().device(options_.device()));
}

int64_t GanTrainer::epochLength() {
    return reals_.batchesPerEpoch();
}

void GanTrainer::startEpoch(int64_t epoch, int64_t skip) {
    generator_.train();
    discriminator_.train();
    reals_.startEpoch(epoch - 1, skip);
}

void GanTrainer::iterate(const CancelToken& cancel) {
    std::optional<Batch> batch = reals_.next(&cancel);
    if (!batch)
        throw Error("the data loader ended before the epoch did");
    const at::Tensor reals = (*batch)[options_.image_key()].to(options_.device(), torch::kFloat);
    const int64_t n = reals.size(0);
    at::Tensor z = latents(n);
    at::Tensor fakes = generate(z);
    // Discriminator: d_train_steps updates on the same fakes.
    double dTotal = 0;
    for (int64_t s = 0; s < options_.d_train_steps(); ++s) {
        dOptimizer_.zero_grad();
        at::Tensor dLoss = dLoss_(fakes, reals);
        dLoss.backward();
        dOptimizer_.step();
        dTotal += dLoss.item<double>();
    }
    // Generator: one update (fresh latents by default).
    if (options_.g_update_latents())
        z = latents(n);
    fakes = generate(z);
    gOptimizer_.zero_grad();
    at::Tensor gLoss = gLoss_(fakes);
    gLoss.backward();
    gOptimizer_.step();
    fakes_ = fakes.detach();
    state().output["g_loss"] = gLoss.item<double>();
    state().output["d_loss"] = dTotal;
}

} // namespace medulla
