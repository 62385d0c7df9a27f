#include "engine/training/GanRun.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/CpuAllocator.h"
#include "engine/core/Random.h"
#include "engine/core/Threads.h"
#include "engine/data/DataLoader.h"
#include "engine/data/Datalist.h"
#include "engine/data/DatasetFactory.h"
#include "engine/data/SmartCacheDataset.h"
#include "engine/data/SyntheticData.h"
#include "engine/io/ImageLoader.h"
#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"
#include "engine/optim/OptimizerFactory.h"
#include "engine/training/CheckpointParts.h"
#include "engine/training/Determinism.h"
#include "engine/training/GanTrainer.h"
#include "engine/training/RunSupport.h"
#include "engine/training/handlers/CheckpointLoader.h"
#include "engine/training/handlers/CheckpointSaver.h"
#include "engine/training/handlers/StatsHandler.h"
#include "engine/transforms/Compose.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

/// A network followed by a sigmoid (the tutorial's
/// gen_net.conv.add_module("activation", Sigmoid())). It registers the
/// inner network's children, parameters and buffers as its own, so its
/// state dict has the inner network's keys.
class SigmoidOutput : public Network {
public:
    explicit SigmoidOutput(NetworkPtr inner) : inner_(std::move(inner)) {
        for (const auto& kv : inner_->named_children())
            register_module(kv.key(), kv.value());
        for (const auto& kv : inner_->named_parameters(false))
            register_parameter(kv.key(), kv.value());
        for (const auto& kv : inner_->named_buffers(false))
            register_buffer(kv.key(), kv.value());
    }
    at::Tensor forward(at::Tensor x) override { return torch::sigmoid(inner_->forward(x)); }
    int64_t outChannels() const override { return inner_->outChannels(); }
    int64_t sizeDivisor() const override { return inner_->sizeDivisor(); }
    Json toJson() const override { return inner_->toJson(); }
    void train(bool on) override {
        inner_->train(on);
        Network::train(on);
    }

private:
    NetworkPtr inner_;
};

/// MONAI's normal_init: weights of convolutions and linear layers ~ N(0,
/// std) with zero bias; BatchNorm weights ~ N(1, std) with zero bias.
void normalInit(torch::nn::Module& net, double std = 0.02) {
    torch::NoGradGuard noGrad;
    for (const auto& m : net.modules(/*include_self=*/true)) {
        const std::string cls = m->name();
        auto params = m->named_parameters(/*recurse=*/false);
        at::Tensor* w = params.find("weight");
        at::Tensor* b = params.find("bias");
        if (!w || !w->defined())
            continue;
        const bool batchNorm = cls.find("BatchNorm") != std::string::npos;
        if (!batchNorm && cls.find("Conv") == std::string::npos &&
            cls.find("Linear") == std::string::npos)
            continue;
        w->normal_(batchNorm ? 1.0 : 0.0, std);
        if (b && b->defined())
            b->zero_();
    }
}

/// Sums of the losses of the epoch in progress (a checkpoint part, so that
/// a run resumed mid-epoch reports the same epoch means).
struct EpochLosses {
    double g = 0, d = 0;
    int64_t count = 0;
    Json state() const { return {{"g_sum", g}, {"d_sum", d}, {"count", count}}; }
    void loadState(const Json& j) {
        g = j.at("g_sum").get<double>();
        d = j.at("d_sum").get<double>();
        count = j.at("count").get<int64_t>();
    }
};

/// metrics.csv: "epoch,g_loss,d_loss", one row per epoch, rewritten
/// atomically; the first write keeps the rows of earlier epochs already in
/// the file (a resumed run).
class MetricsCsv {
public:
    explicit MetricsCsv(std::string path) : path_(std::move(path)) {}
    void add(int64_t epoch, double g, double d) {
        if (!started_) {
            started_ = true;
            std::ifstream in(path_);
            std::string line;
            std::getline(in, line); // header
            while (std::getline(in, line)) {
                try {
                    if (!line.empty() && std::stoll(line.substr(0, line.find(','))) < epoch)
                        rows_ += line + "\n";
                } catch (const std::exception&) { // not a row of ours
                }
            }
        }
        char row[128];
        std::snprintf(row, sizeof row, "%lld,%.17g,%.17g\n", static_cast<long long>(epoch), g, d);
        rows_ += row;
        writeTextAtomically(path_, "epoch,g_loss,d_loss\n" + rows_);
    }

private:
    std::string path_;
    std::string rows_;
    bool started_ = false;
};

/// (N, C, *spatial) -> (C, *grid): ceil(sqrt(N)) columns along the first
/// spatial axis, rows along the second, `pad` zero pixels between images.
at::Tensor tile(const at::Tensor& images, int64_t pad = 2) {
    const int64_t n = images.size(0);
    const int64_t cols = int64_t(std::ceil(std::sqrt(double(n))));
    const int64_t rows = (n + cols - 1) / cols;
    const int64_t X = images.size(2), Y = images.size(3);
    std::vector<int64_t> shape(images.sizes().begin() + 1, images.sizes().end());
    shape[1] = cols * X + (cols - 1) * pad;
    shape[2] = rows * Y + (rows - 1) * pad;
    at::Tensor grid = torch::zeros(shape, images.options());
    for (int64_t i = 0; i < n; ++i) {
        const int64_t x0 = (i % cols) * (X + pad), y0 = (i / cols) * (Y + pad);
        grid.slice(1, x0, x0 + X).slice(2, y0, y0 + Y).copy_(images[i]);
    }
    return grid;
}

/// Writes the sample grid; returns its path ("" for images without 2 or 3
/// spatial axes).
std::string writeSamples(const at::Tensor& fakes, const fs::path& out) {
    if (fakes.dim() != 4 && fakes.dim() != 5)
        return {};
    at::Tensor grid = tile(fakes.detach().cpu().to(torch::kFloat));
    const bool picture = grid.dim() == 3 && (grid.size(0) == 1 || grid.size(0) == 3);
    if (!picture) {
        const std::string path = (out / "samples.nii.gz").string();
        saveImage(Volume(grid.slice(0, 0, 1).contiguous()), path);
        return path;
    }
    const double lo = grid.min().item<double>(), hi = grid.max().item<double>();
    if (lo < 0 || hi > 1)
        grid = hi > lo ? (grid - lo) / (hi - lo) : torch::zeros_like(grid);
    const std::string path = (out / "samples.png").string();
    saveImage(Volume((grid * 255.0).contiguous()), path);
    return path;
}

/// The sections of two experiments that differ ("gan, trainer").
std::string differingSections(const Json& a, const Json& b) {
    std::string out;
    for (const auto& kv : a.items())
        if (!b.contains(kv.key()) || b[kv.key()] != kv.value())
            out += (out.empty() ? "" : ", ") + kv.key();
    for (const auto& kv : b.items())
        if (!a.contains(kv.key()))
            out += (out.empty() ? "" : ", ") + kv.key();
    return out;
}

std::string fixed4(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
}

} // namespace

struct GanRun::Impl {
    GanExperimentConfig config;
    std::vector<TrainingObserver*> observers;
    std::string resumeFrom;
    GanRunFiles files;

    void message(const std::string& m) {
        for (auto* o : observers)
            o->onMessage(m);
    }
};

GanRun::GanRun(GanExperimentConfig config) : impl_(std::make_unique<Impl>()) {
    impl_->config = std::move(config);
    const fs::path out(impl_->config.outputDir);
    const auto saving = ganCheckpointOptions(impl_->config.checkpoint, out.string());
    auto& f = impl_->files;
    f.checkpoint =
        saving.latest_filename().empty() ? "" : (out / saving.latest_filename()).string();
    f.generatorState = (out / "generator_state.pt").string();
    f.samples = (out / "samples.png").string();
    f.metrics = (out / "metrics.csv").string();
    f.log = (out / "train.log").string();
}

GanRun::~GanRun() = default;

void GanRun::addObserver(TrainingObserver* observer) {
    impl_->observers.push_back(observer);
}

void GanRun::resumeFrom(std::string checkpoint) {
    impl_->resumeFrom = std::move(checkpoint);
}

const GanExperimentConfig& GanRun::config() const {
    return impl_->config;
}

const GanRunFiles& GanRun::files() const {
    return impl_->files;
}

JobState GanRun::run(const CancelToken& cancel) {
    auto& cfg = impl_->config;
    auto& obs = impl_->observers;
    auto& files = impl_->files;
    const int threads = configureThreads(int(cfg.trainer.threads));
    installCpuAllocator();
    setDeterministic(cfg.trainer.deterministic);
    seedTorch(cfg.trainer.seed);
    const torch::Device device = resolveDevice(cfg.trainer.device);
    impl_->message("device: " + device.str() + ", intra-op threads: " + std::to_string(threads) +
                   (cfg.trainer.deterministic ? ", deterministic" : ""));
    if (!impl_->resumeFrom.empty()) { // fail before preparing the data
        const CheckpointHeader h = TrainingCheckpoint::readHeader(impl_->resumeFrom);
        const std::string differs = differingSections(h.experiment, cfg.toJson());
        if (!h.experiment.is_null() && !differs.empty())
            impl_->message("note: the experiment differs from the checkpoint's in: " + differs);
    }

    // --- data ---------------------------------------------------------------
    const fs::path out(cfg.outputDir);
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec)
        throw IoError("cannot create the output folder: " + ec.message(), cfg.outputDir);
    if (!cfg.synthetic.is_null() && !fs::exists(cfg.dataset)) {
        impl_->message("generating the synthetic dataset in " +
                       fs::path(cfg.dataset).parent_path().string());
        StageProgress p(obs, 0.0, 0.3);
        writeSyntheticDataset(fs::path(cfg.dataset).parent_path().string(),
                              ganSyntheticOptionsFromJson(cfg.synthetic), p, &cancel);
    }
    std::vector<Sample> items = loadDecathlonDatalist(cfg.dataset, cfg.datalistKey);
    if (items.empty())
        throw ConfigError("the list \"" + cfg.datalistKey + "\" has no cases", cfg.dataset,
                          "data.datalist_key");
    impl_->message("cases: " + std::to_string(items.size()) + " real images");
    StageProgress cacheProgress(obs, 0.3, 1.0);
    std::unique_ptr<Dataset> trainSet =
        makeDataset(cfg.datasetConfig, std::move(items),
                    Compose::fromJson(cfg.trainTransforms, "train_transforms"), cacheProgress,
                    &cancel, "data.cache");
    auto* smartCache = dynamic_cast<SmartCacheDataset*>(trainSet.get());
    if (smartCache)
        smartCache->start();
    DataLoader loader(*trainSet, DataLoaderOptions()
                                     .batch_size(cfg.trainer.batch_size)
                                     .shuffle(true)
                                     .seed(cfg.trainer.seed + 1)
                                     .num_workers(cfg.loaderWorkers));

    // --- networks -----------------------------------------------------------
    NetworkPtr generator = networkRegistry().create(cfg.generator, "generator");
    NetworkPtr discriminator = networkRegistry().create(cfg.discriminator, "discriminator");
    if (cfg.gan.normal_init) {
        normalInit(*discriminator);
        normalInit(*generator);
    }
    if (cfg.gan.generator_sigmoid)
        generator = std::make_shared<SigmoidOutput>(generator);
    generator->to(device);
    discriminator->to(device);
    { // the reals must look like the fakes (the first item, through the transforms)
        const std::vector<Sample> first = trainSet->get(0, 0);
        const std::string file = Dataset::describe(trainSet->item(0));
        if (first.empty() || !first[0].has(cfg.imageKey))
            throw ConfigError("the samples have no \"" + cfg.imageKey + "\"", file,
                              "data.image_key");
        torch::NoGradGuard noGrad;
        generator->eval();
        const at::Tensor fake = generator->forward(torch::zeros({1, cfg.gan.latent_size}, device));
        const at::Tensor real = first[0].at(cfg.imageKey).data();
        if (!real.sizes().equals(fake.sizes().slice(1)))
            throw ConfigError("the images are " + c10::str(real.sizes()) +
                                  " after the transforms, but the generator makes " +
                                  c10::str(fake.sizes().slice(1)),
                              file, "train_transforms");
    }
    std::shared_ptr<torch::optim::Optimizer> gOptimizer =
        makeOptimizer(cfg.gOptimizer, generator->parameters(), "g_optimizer");
    std::shared_ptr<torch::optim::Optimizer> dOptimizer =
        makeOptimizer(cfg.dOptimizer, discriminator->parameters(), "d_optimizer");
    writeTextAtomically((out / "experiment.json").string(), cfg.toJson().dump(2) + "\n");

    // --- workflow and handlers ----------------------------------------------
    GanTrainer trainer(GanTrainerOptions()
                           .max_epochs(cfg.trainer.max_epochs)
                           .latent_shape({cfg.gan.latent_size})
                           .d_train_steps(cfg.gan.d_train_steps)
                           .g_update_latents(cfg.gan.g_update_latents)
                           .image_key(cfg.imageKey)
                           .device(device),
                       loader, *generator, *gOptimizer, *discriminator, *dOptimizer);
    EpochLosses losses;
    auto checkpoint = std::make_shared<TrainingCheckpoint>();
    addModel(*checkpoint, *generator, "generator");
    addModel(*checkpoint, *discriminator, "discriminator");
    addOptimizer(*checkpoint, *gOptimizer, "g_optimizer");
    addOptimizer(*checkpoint, *dOptimizer, "d_optimizer");
    addWorkflowProgress(*checkpoint, trainer);
    addRandomGenerators(*checkpoint);
    addStateful(*checkpoint, "epoch_losses", losses, /*optional=*/true);
    if (smartCache)
        addSmartCache(*checkpoint, *smartCache, trainer);
    checkpoint->setExperiment(cfg.toJson());
    if (!impl_->resumeFrom.empty()) { // first: STARTED restores the state the others see
        auto restore = std::make_shared<CheckpointLoader>(
            checkpoint, CheckpointLoaderOptions(impl_->resumeFrom));
        restore->setLogger([this](const std::string& m) { impl_->message(m); });
        trainer.addHandler(restore);
    }
    // Callbacks of one event run in this order: the loss check and sums,
    // the cache swap, metrics.csv and generator_state.pt, the checkpoints,
    // then the reports.
    trainer.on(Event::IterationCompleted, [&losses](Workflow& w) {
        const WorkflowState& s = w.state();
        const double g = s.output.at("g_loss"), d = s.output.at("d_loss");
        if (!std::isfinite(g) || !std::isfinite(d))
            throw Error("non-finite loss at epoch " + std::to_string(s.epoch) + ", iteration " +
                        std::to_string(s.epochIteration) + "/" + std::to_string(s.epochLength) +
                        ": g_loss " + std::to_string(g) + ", d_loss " + std::to_string(d));
        losses.g += g;
        losses.d += d;
        ++losses.count;
    });
    trainer.on(Event::EpochStarted, [&losses](Workflow& w) {
        if (w.state().epochIteration == 0) // a resumed epoch keeps its sums
            losses = EpochLosses();
    });
    if (smartCache)
        trainer.on(Event::EpochCompleted, [smartCache](Workflow&) { smartCache->updateCache(); });
    MetricsCsv metrics(files.metrics);
    trainer.on(Event::EpochCompleted, [&](Workflow& w) {
        const double n = double(std::max<int64_t>(losses.count, 1));
        metrics.add(w.state().epoch, losses.g / n, losses.d / n);
        writeStateDict(moduleStateDict(*generator), files.generatorState);
    });
    trainer.addHandler(std::make_shared<CheckpointSaver>(
        checkpoint, ganCheckpointOptions(cfg.checkpoint, out.string())));
    trainer.addHandler(
        std::make_shared<StatsHandler>(LogSink(), StatsHandlerOptions().log_file(files.log)));
    // The observers' events.
    auto epochStart = std::make_shared<std::chrono::steady_clock::time_point>();
    trainer.on(Event::Started, [&obs](Workflow&) {
        for (auto* o : obs)
            o->onStateChanged(JobState::Running);
    });
    trainer.on(Event::EpochStarted,
               [epochStart](Workflow&) { *epochStart = std::chrono::steady_clock::now(); });
    trainer.on(Event::IterationCompleted, [&obs](Workflow& w) {
        const WorkflowState& s = w.state();
        IterationEvent e;
        e.epoch = int(s.epoch);
        e.iteration = int(s.epochIteration);
        e.iterationsPerEpoch = int(s.epochLength);
        e.globalStep = s.iteration;
        e.totalSteps = s.epochLength * s.maxEpochs;
        e.loss = s.output.at("g_loss");
        for (auto* o : obs)
            o->onIteration(e);
    });
    trainer.on(Event::EpochCompleted, [&, epochStart](Workflow& w) {
        const WorkflowState& s = w.state();
        const double n = double(std::max<int64_t>(losses.count, 1));
        EpochEvent e;
        e.epoch = int(s.epoch);
        e.maxEpochs = int(s.maxEpochs);
        e.meanLoss = losses.g / n;
        e.lr = gOptimizer->param_groups().front().options().get_lr();
        e.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - *epochStart).count();
        e.checkpoint = files.checkpoint;
        for (auto* o : obs)
            o->onEpoch(e);
        impl_->message("  mean g_loss " + fixed4(losses.g / n) + ", mean d_loss " +
                       fixed4(losses.d / n) + " (the sum of " +
                       std::to_string(cfg.gan.d_train_steps) + " discriminator steps)");
    });

    try {
        if (trainer.run(cancel) == JobState::Cancelled)
            return JobState::Cancelled;
    } catch (const CancelledError&) { // cancelled while waiting for data
        return JobState::Cancelled;
    } catch (const c10::Error& e) { // say where; BCE rejects NaN probabilities
        const WorkflowState& s = trainer.state();
        const std::string what = e.what();
        throw Error("training failed at epoch " + std::to_string(s.epoch) + ", iteration " +
                    std::to_string(s.epochIteration + 1) + "/" + std::to_string(s.epochLength) +
                    ": " + what.substr(0, what.find('\n')) +
                    (what.find("between 0 and 1") != std::string::npos
                         ? " (a non-finite loss: NaN in the images or the networks, or a "
                           "discriminator without a sigmoid)"
                         : ""));
    }

    // --- samples from fixed latents -----------------------------------------
    at::Generator rng = at::make_generator<at::CPUGeneratorImpl>(cfg.trainer.seed);
    const at::Tensor z =
        torch::randn({cfg.gan.num_samples, cfg.gan.latent_size}, rng, torch::kFloat).to(device);
    at::Tensor fakes;
    {
        torch::NoGradGuard noGrad;
        generator->eval();
        fakes = generator->forward(z);
    }
    files.samples = writeSamples(fakes, out);
    impl_->message("generator weights: " + files.generatorState);
    if (!files.samples.empty())
        impl_->message("generated samples: " + files.samples);
    return JobState::Completed;
}

} // namespace medulla
