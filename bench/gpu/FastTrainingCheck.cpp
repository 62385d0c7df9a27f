#include "bench/gpu/FastTrainingCheck.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <optional>

#include "bench/BenchUtil.h"
#include "engine/losses/DiceLoss.h"
#include "engine/networks/UNet.h"
#include "engine/optim/Novograd.h"
#include "engine/training/Autocast.h"
#include "engine/training/GradScaler.h"

namespace medulla::bench {
namespace {

void synchronize(const at::Device& device) {
    if (device.is_cuda())
        torch::cuda::synchronize();
}

/// Mean foreground Dice of the network's argmax on the validation volumes.
double validate(UNet& net, const at::Tensor& images, const at::Tensor& labels,
                const at::Device& device, bool amp) {
    torch::NoGradGuard noGrad;
    net->eval();
    double sum = 0;
    for (int64_t i = 0; i < images.size(0); ++i) {
        at::Tensor logits;
        {
            std::optional<Autocast> autocast;
            if (amp)
                autocast.emplace(device.type());
            logits = net->forward(images[i].unsqueeze(0).to(device));
        }
        const at::Tensor pred = logits.argmax(1).to(at::kFloat);
        const at::Tensor gt = labels[i].to(device).squeeze(0).unsqueeze(0);
        const double inter = (pred * gt).sum().item<double>();
        const double total = pred.sum().item<double>() + gt.sum().item<double>();
        sum += total > 0 ? 2 * inter / total : 1.0;
    }
    net->train();
    return sum / double(images.size(0));
}

nlohmann::json runRecipe(bool fast, const at::Device& device, const at::Tensor& volumes,
                         const at::Tensor& labels, const FastTrainingSettings& s) {
    torch::manual_seed(s.seed);
    UNet net = spleenUnet();
    net->to(device);
    net->train();
    DiceLoss lossFn(DiceLossOptions().to_onehot_y(true).softmax(true));
    std::unique_ptr<torch::optim::Optimizer> opt;
    if (fast)
        opt = std::make_unique<Novograd>(net->parameters(), NovogradOptions(1e-3));
    else
        opt = std::make_unique<torch::optim::Adam>(net->parameters(),
                                                   torch::optim::AdamOptions(1e-4));
    GradScaler scaler(GradScalerOptions().enabled(fast && device.is_cuda()));
    const int64_t train = volumes.size(0) - 2;
    Stopwatch clock;
    // fast: the cache lives on the device; plain: in host memory.
    const at::Tensor images =
        fast ? volumes.narrow(0, 0, train).to(device) : volumes.narrow(0, 0, train);
    const at::Tensor masks =
        fast ? labels.narrow(0, 0, train).to(device) : labels.narrow(0, 0, train);
    const at::Tensor valImages = volumes.narrow(0, train, 2),
                     valLabels = labels.narrow(0, train, 2);
    at::Generator gen = at::detail::createCPUGenerator(s.seed + 1);
    std::vector<double> dice, epochSeconds;
    double reachedAt = -1;
    int reachedEpoch = -1;
    for (int epoch = 1; epoch <= s.maxEpochs && reachedAt < 0; ++epoch) {
        Stopwatch epochClock;
        for (int64_t step = 0; step < train; ++step) {
            std::vector<at::Tensor> xs, ys;
            for (int b = 0; b < 2; ++b) {
                const at::Tensor pick = at::randint(0, train, {4}, gen, at::kLong);
                const int64_t i = pick[0].item<int64_t>();
                std::vector<int64_t> o(3);
                for (int d = 0; d < 3; ++d)
                    o[d] = s.volume == s.patch
                               ? 0
                               : pick[d + 1].item<int64_t>() % (s.volume - s.patch + 1);
                auto crop = [&](const at::Tensor& t) {
                    return t[i]
                        .narrow(1, o[0], s.patch)
                        .narrow(2, o[1], s.patch)
                        .narrow(3, o[2], s.patch);
                };
                xs.push_back(crop(images));
                ys.push_back(crop(masks));
            }
            const at::Tensor x = at::stack(xs).to(device), y = at::stack(ys).to(device);
            opt->zero_grad();
            at::Tensor loss;
            {
                std::optional<Autocast> autocast;
                if (fast)
                    autocast.emplace(device.type());
                loss = lossFn(net->forward(x), y);
            }
            scaler.scale(loss).backward();
            scaler.step(*opt);
            scaler.update();
        }
        dice.push_back(validate(net, valImages, valLabels, device, fast));
        synchronize(device);
        epochSeconds.push_back(epochClock.seconds());
        if (dice.back() >= s.target) {
            reachedAt = clock.seconds();
            reachedEpoch = epoch;
        }
    }
    return {
        {"seconds_to_target", reachedAt < 0 ? nlohmann::json() : nlohmann::json(reachedAt)},
        {"epochs_to_target", reachedEpoch < 0 ? nlohmann::json() : nlohmann::json(reachedEpoch)},
        {"epoch_s_median", median(epochSeconds)},
        {"val_dice", dice}};
}

} // namespace

UNet spleenUnet() {
    return UNet(UNetOptions()
                    .spatial_dims(3)
                    .in_channels(1)
                    .out_channels(2)
                    .channels({16, 32, 64, 128, 256})
                    .strides({2, 2, 2, 2})
                    .num_res_units(2)
                    .norm("batch"));
}

nlohmann::json fastTrainingCheck(const at::Device& device, const at::Tensor& volumes,
                                 const at::Tensor& labels, const FastTrainingSettings& s) {
    nlohmann::json out = {
        {"target", s.target}, {"cases", s.cases}, {"volume", s.volume}, {"patch", s.patch}};
    out["plain"] = runRecipe(false, device, volumes, labels, s);
    out["fast"] = runRecipe(true, device, volumes, labels, s);
    if (!out["plain"]["seconds_to_target"].is_null() && !out["fast"]["seconds_to_target"].is_null())
        out["speedup"] = out["plain"]["seconds_to_target"].get<double>() /
                         out["fast"]["seconds_to_target"].get<double>();
    return out;
}

} // namespace medulla::bench
