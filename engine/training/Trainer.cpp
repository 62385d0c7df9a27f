#include "engine/training/Trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "engine/core/AtomicFile.h"
#include "engine/core/CpuAllocator.h"
#include "engine/core/OneHot.h"
#include "engine/core/Threads.h"
#include "engine/data/CacheDataset.h"
#include "engine/data/DataLoader.h"
#include "engine/data/Datalist.h"
#include "engine/data/DatasetFactory.h"
#include "engine/data/SmartCacheDataset.h"
#include "engine/data/SyntheticData.h"
#include "engine/io/NiftiIO.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/DiceMetric.h"
#include "engine/networks/MemoryFormat.h"
#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"
#include "engine/optim/LrScheduler.h"
#include "engine/optim/OptimizerFactory.h"
#include "engine/training/Checkpoint.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

/// Forwards preparation progress of one stage to the observers.
class StageProgress : public ProgressSink {
public:
    StageProgress(std::vector<TrainingObserver*>& observers, double begin, double end)
        : observers_(observers), begin_(begin), end_(end) {}
    void progress(double f, const std::string& what) override {
        for (auto* o : observers_)
            o->onPreparing(begin_ + (end_ - begin_) * f, what);
    }

private:
    std::vector<TrainingObserver*>& observers_;
    double begin_, end_;
};

/// The device a run trains on (see TrainerOptions::device). Throws a
/// ConfigError naming trainer.device when CUDA is asked for but unusable.
torch::Device resolveDevice(const std::string& name) {
    if (name == "cpu" || (name == "auto" && !torch::cuda::is_available()))
        return torch::kCPU;
    if (!torch::cuda::is_available())
        throw ConfigError("CUDA was requested but this LibTorch build has no usable GPU", {},
                          "trainer.device");
    if (name == "auto" || name == "cuda")
        return {torch::kCUDA, 0};
    const int index = std::stoi(name.substr(5));
    if (index >= int(torch::cuda::device_count()))
        throw ConfigError("there are only " + std::to_string(torch::cuda::device_count()) + " GPUs",
                          {}, "trainer.device");
    return {torch::kCUDA, static_cast<c10::DeviceIndex>(index)};
}

/// Pad the spatial axes at the end so each is a multiple of k.
at::Tensor padToMultiple(const at::Tensor& x, int64_t k) {
    std::vector<int64_t> pad;
    for (int64_t d = x.dim() - 1; d >= 2; --d) {
        const int64_t n = x.size(d);
        pad.push_back(0);
        pad.push_back((k - n % k) % k);
    }
    return torch::constant_pad_nd(x, pad, 0);
}

} // namespace

struct Trainer::Impl {
    ExperimentConfig config;
    std::vector<TrainingObserver*> observers;

    void message(const std::string& m) {
        for (auto* o : observers)
            o->onMessage(m);
    }

    /// (1, C, *spatial) logits -> argmax labels (1, 1, *spatial), padding
    /// to the network's divisibility and cropping back.
    at::Tensor predict(Network& net, const at::Tensor& image, int64_t divisor) {
        torch::NoGradGuard ng;
        at::Tensor x = padToMultiple(image, divisor);
        at::Tensor logits = net.forward(x);
        for (int64_t d = 2; d < image.dim(); ++d)
            logits = logits.narrow(d, 0, image.size(d));
        return logits.argmax(1, true);
    }
};

Trainer::Trainer(ExperimentConfig config) : impl_(std::make_unique<Impl>()) {
    impl_->config = std::move(config);
}

Trainer::~Trainer() = default;

void Trainer::addObserver(TrainingObserver* observer) {
    impl_->observers.push_back(observer);
}

const ExperimentConfig& Trainer::config() const {
    return impl_->config;
}

JobState Trainer::run(const CancelToken& cancel) {
    auto& cfg = impl_->config;
    auto& obs = impl_->observers;
    const int threads = configureThreads(int(cfg.trainer.threads));
    installCpuAllocator(); // reuses a step's large buffers (see CpuAllocator.h)
    seedTorch(cfg.trainer.seed);
    const torch::Device device = resolveDevice(cfg.trainer.device);
    impl_->message("device: " + device.str() + ", intra-op threads: " + std::to_string(threads));

    // --- data ---------------------------------------------------------------
    std::error_code ec;
    fs::create_directories(cfg.outputDir, ec);
    if (ec)
        throw IoError("cannot create the output folder: " + ec.message(), cfg.outputDir);
    if (!cfg.synthetic.is_null() && !fs::exists(cfg.dataset)) {
        impl_->message("generating the synthetic dataset in " +
                       fs::path(cfg.dataset).parent_path().string());
        StageProgress p(obs, 0.0, 0.3);
        writeSyntheticDataset(fs::path(cfg.dataset).parent_path().string(),
                              syntheticOptionsFromJson(cfg.synthetic), p, &cancel);
    }
    auto items = loadDecathlonDatalist(cfg.dataset, cfg.datalistKey);
    auto split = splitDatalist(items, cfg.valFraction, cfg.trainer.seed);
    if (split.train.empty() || split.validation.empty())
        throw ConfigError("need at least one training and one validation case; the list has " +
                              std::to_string(split.train.size() + split.validation.size()),
                          cfg.dataset, "data.val_fraction");
    impl_->message("cases: " + std::to_string(split.train.size()) + " training, " +
                   std::to_string(split.validation.size()) + " validation");
    const std::vector<std::string> valNames = [&] {
        std::vector<std::string> n;
        for (const auto& s : split.validation)
            n.push_back(
                fs::path(s.paths.count("image") ? s.paths.at("image") : "").filename().string());
        return n;
    }();
    StageProgress trainProgress(obs, 0.3, 0.85), valProgress(obs, 0.85, 1.0);
    std::unique_ptr<Dataset> trainSet =
        makeDataset(cfg.datasetConfig, std::move(split.train),
                    Compose::fromJson(cfg.trainTransforms, "train_transforms"), trainProgress,
                    &cancel, "data.cache");
    auto* smartCache = dynamic_cast<SmartCacheDataset*>(trainSet.get());
    if (smartCache)
        smartCache->start(); // prepares the next epoch's items during this one
    CacheDataset valSet(std::move(split.validation),
                        Compose::fromJson(cfg.valTransforms, "val_transforms"),
                        CacheDatasetOptions().num_workers(threads), valProgress, &cancel);
    // workers build the next batches while the network trains
    DataLoader loader(*trainSet, DataLoaderOptions()
                                     .batch_size(cfg.trainer.batch_size)
                                     .shuffle(true)
                                     .seed(cfg.trainer.seed + 1)
                                     .num_workers(cfg.loaderWorkers));

    // --- model --------------------------------------------------------------
    auto net = networkRegistry().create(cfg.network, "network");
    net->to(device);
    // 3D on CPU: channels-last activations (oneDNN skips its layout reorders).
    const bool fastLayout =
        preferChannelsLast(device, int64_t(cfg.network.value("spatial_dims", 3)) + 2);
    if (fastLayout)
        toChannelsLast(*net);
    auto lossFn = lossRegistry().create(cfg.loss, "loss");
    auto optimizer = makeOptimizer(cfg.optimizer, net->parameters(), "optimizer");
    std::unique_ptr<LrScheduler> scheduler;
    if (!cfg.scheduler.is_null())
        scheduler = makeScheduler(cfg.scheduler, *optimizer, "scheduler");
    const int64_t outChannels = net->outChannels();
    const int64_t divisor = net->sizeDivisor();

    const fs::path out(cfg.outputDir);
    const std::string ckpt = (out / "checkpoint.pt").string();
    const std::string best = (out / "best_model.pt").string();
    writeTextAtomically((out / "experiment.json").string(), cfg.toJson().dump(2) + "\n");

    const int64_t perEpoch = loader.batchesPerEpoch();
    const long long total = (long long)(perEpoch * cfg.trainer.max_epochs);
    long long step = 0;
    double bestDice = -1;
    int bestEpoch = 0;
    for (auto* o : obs)
        o->onStateChanged(JobState::Running);

    for (int epoch = 1; epoch <= int(cfg.trainer.max_epochs); ++epoch) {
        const auto t0 = std::chrono::steady_clock::now();
        net->train();
        loader.startEpoch(epoch - 1);
        double lossSum = 0;
        for (int64_t b = 0; b < perEpoch; ++b) {
            if (cancel.isCancelled())
                return JobState::Cancelled;
            std::optional<Batch> next = loader.next(&cancel);
            if (!next) // cannot happen: perEpoch is the loader's count
                break;
            Batch& batch = *next;
            if (!batch.count("image") || !batch.count("label"))
                throw ConfigError("train_transforms must produce \"image\" and \"label\"", {},
                                  "train_transforms");
            optimizer->zero_grad();
            at::Tensor input = batch["image"].to(device, torch::kFloat);
            at::Tensor output = net->forward(fastLayout ? channelsLast(input) : input);
            at::Tensor loss = (*lossFn)(output, batch["label"].to(device, torch::kFloat));
            // Networks with a loss term of their own (SegResNetVAE's VAE loss).
            if (at::Tensor aux = net->auxiliaryLoss(); aux.defined())
                loss = loss + aux;
            loss.backward();
            optimizer->step();
            if (scheduler && !scheduler->epochLevel())
                scheduler->step();
            const double l = loss.item<double>();
            if (!std::isfinite(l))
                throw Error("the loss became " + std::to_string(l) +
                            "; lower optimizer.lr or check the labels");
            lossSum += l;
            ++step;
            IterationEvent ev{epoch, int(b + 1), int(perEpoch), step, total, l};
            for (auto* o : obs)
                o->onIteration(ev);
        }
        if (scheduler && scheduler->epochLevel())
            scheduler->step();
        EpochEvent ee;
        ee.epoch = epoch;
        ee.maxEpochs = int(cfg.trainer.max_epochs);
        ee.meanLoss = lossSum / double(perEpoch);
        ee.lr = optimizer->param_groups().front().options().get_lr();
        if (epoch % cfg.trainer.val_interval == 0 || epoch == cfg.trainer.max_epochs) {
            net->eval();
            DiceMetric metric(DiceMetricOptions().include_background(false));
            for (size_t i = 0; i < valSet.size(); ++i) {
                if (cancel.isCancelled())
                    return JobState::Cancelled;
                const Sample& s = valSet.cached(i);
                if (s.at("image").spatialShape() != s.at("label").spatialShape())
                    throw ShapeError("image and label sizes differ",
                                     s.paths.count("image") ? s.paths.at("image") : std::string(),
                                     "val_transforms");
                at::Tensor img = s.at("image").data().to(device, torch::kFloat).unsqueeze(0);
                at::Tensor lab = s.at("label").data().to(device).unsqueeze(0);
                at::Tensor pred = impl_->predict(*net, img, divisor);
                metric(oneHot(pred, outChannels), oneHot(lab, outChannels));
            }
            ee.valMeanDice = metric.aggregate().front().value.item<double>();
            if (ee.valMeanDice > bestDice) {
                bestDice = ee.valMeanDice;
                bestEpoch = epoch;
                saveCheckpoint(best, *net, nullptr, {epoch, bestDice});
                writeStateDict(moduleStateDict(*net), (out / "best_model_state.pt").string());
            }
        }
        if (smartCache)
            smartCache->updateCache(); // swap in the items prepared during the epoch
        saveCheckpoint(ckpt, *net, optimizer.get(), {epoch, bestDice});
        ee.bestValMeanDice = bestDice;
        ee.bestEpoch = bestEpoch;
        ee.checkpoint = ckpt;
        ee.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        for (auto* o : obs)
            o->onEpoch(ee);
    }

    // --- the best model's prediction for the first validation case -----------
    if (cancel.isCancelled())
        return JobState::Cancelled;
    if (fs::exists(best))
        loadCheckpoint(best, *net);
    net->eval();
    const Sample& s = valSet.cached(0);
    PredictionEvent pe;
    pe.caseName = valNames.empty() ? "validation case" : valNames.front();
    pe.image = s.at("image");
    pe.label = s.at("label");
    at::Tensor pred =
        impl_->predict(*net, s.at("image").data().to(device, torch::kFloat).unsqueeze(0), divisor)
            .cpu();
    pe.dice =
        DiceMetric(DiceMetricOptions().include_background(false))
            .compute(oneHot(pred, outChannels), oneHot(pe.label.data().unsqueeze(0), outChannels))
            .nanmean()
            .item<double>();
    pe.prediction = Volume(pred[0].to(torch::kByte).contiguous(), s.at("image").affine());
    pe.file = (out / "prediction_val0.nii.gz").string();
    writeNifti(pe.prediction, pe.file);
    for (auto* o : obs)
        o->onPrediction(pe);
    return JobState::Completed;
}

} // namespace medulla
