#include "engine/training/Trainer.h"

#include <torch/torch.h>

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
#include "engine/distributed/DistributedContext.h"
#include "engine/distributed/DistributedDataParallel.h"
#include "engine/distributed/RunControl.h"
#include "engine/distributed/SyncBatchNorm.h"
#include "engine/inference/InfererFactory.h"
#include "engine/io/NiftiIO.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/DiceMetric.h"
#include "engine/networks/MemoryFormat.h"
#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"
#include "engine/optim/LrScheduler.h"
#include "engine/optim/OptimizerFactory.h"
#include "engine/training/AmpHooks.h"
#include "engine/training/Autocast.h"
#include "engine/training/Checkpoint.h"
#include "engine/training/CheckpointParts.h"
#include "engine/training/Determinism.h"
#include "engine/training/DistributedRun.h"
#include "engine/training/RunSupport.h"
#include "engine/training/SupervisedEvaluator.h"
#include "engine/training/SupervisedTrainer.h"
#include "engine/training/handlers/CheckpointLoader.h"
#include "engine/training/handlers/CheckpointSaver.h"
#include "engine/training/handlers/EarlyStopHandler.h"
#include "engine/training/handlers/EpochLossTracker.h"
#include "engine/training/handlers/LrScheduleHandler.h"
#include "engine/training/handlers/MetricsSaver.h"
#include "engine/training/handlers/ObserverHandler.h"
#include "engine/training/handlers/StatsHandler.h"
#include "engine/training/handlers/TensorBoardHandler.h"
#include "engine/training/handlers/ValidationHandler.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

/// The inferer of the validation: the experiment's "inferer" (null:
/// SimpleInferer). The evaluator pads each input to the network's size
/// divisor, so a sliding window of any roi_size works.
InfererPtr validationInferer(const ExperimentConfig& cfg) {
    return cfg.inferer.is_null() ? InfererPtr() : makeInferer(cfg.inferer, "inferer");
}

/// The files a run writes in its output folder.
struct RunFiles {
    std::string checkpoint; ///< the newest resumable state ("" when disabled)
    std::string best;       ///< on a new best key metric ("" when disabled)
    std::string bestState;  ///< the best model as a PyTorch-loadable state dict
};

/// Everything a run needs to continue exactly (TrainingCheckpoint.h): model,
/// optimizer, lr schedule, progress, random generators, SmartCache position,
/// the thread count and deterministic flag, and the experiment.
std::shared_ptr<TrainingCheckpoint> runCheckpoint(SupervisedTrainer& trainer,
                                                  LrScheduler* scheduler,
                                                  SmartCacheDataset* smartCache,
                                                  const ExperimentConfig& cfg) {
    auto checkpoint = std::make_shared<TrainingCheckpoint>();
    addModel(*checkpoint, trainer.network());
    addOptimizer(*checkpoint, trainer.optimizer());
    if (scheduler)
        addScheduler(*checkpoint, *scheduler);
    addWorkflowProgress(*checkpoint, trainer);
    addRandomGenerators(*checkpoint);
    addComputeSettings(*checkpoint);
    if (smartCache)
        addSmartCache(*checkpoint, *smartCache, trainer);
    checkpoint->setExperiment(cfg.toJson());
    return checkpoint;
}

/// Checkpoint saving of a run: the CheckpointSaver of the experiment's
/// "checkpoint" section (by default checkpoint_epoch=N.pt and checkpoint.pt
/// after every epoch, best_model.pt on a new best), and best_model_state.pt
/// when a validation set a new best. Attach it after the lr step, the
/// validation and the cache swap, before the ObserverHandler, which reports
/// the checkpoint of the epoch.
void attachCheckpointSaving(SupervisedTrainer& trainer, const SupervisedEvaluator& evaluator,
                            std::shared_ptr<CheckpointSaver> saver, const RunFiles& files) {
    auto validatedAt = std::make_shared<int64_t>(-1);
    trainer.on(ValidationHandler::kValidationCompleted,
               [validatedAt](Workflow& w) { *validatedAt = w.state().epoch; });
    trainer.on(Event::EpochCompleted, [&trainer, &evaluator, files, validatedAt](Workflow&) {
        if (*validatedAt == trainer.state().epoch && evaluator.improved())
            writeStateDict(moduleStateDict(trainer.network()), files.bestState);
    });
    trainer.addHandler(std::move(saver));
}

/// An epoch-level lr schedule steps once per epoch end: the epoch whose end
/// last stepped it travels in the checkpoint (part "lr_step"), so a resumed
/// run that redoes an epoch end cut short by a cancel (CheckpointSaver)
/// does not step the schedule a second time for that epoch.
void attachEpochLrStep(SupervisedTrainer& trainer, std::shared_ptr<LrScheduler> scheduler,
                       TrainingCheckpoint& checkpoint) {
    auto stepped = std::make_shared<int64_t>(0);
    addJsonState(
        checkpoint, "lr_step",
        [stepped] {
            return Json{{"epoch", *stepped}};
        },
        [stepped](const Json& j) { *stepped = j.at("epoch").get<int64_t>(); }, true);
    trainer.on(Event::EpochCompleted, [scheduler, stepped](Workflow& w) {
        if (*stepped == w.state().epoch)
            return;
        scheduler->step();
        *stepped = w.state().epoch;
    });
}

/// The device of a rank: with several processes on a node each one takes
/// the GPU of its LOCAL_RANK unless trainer.device names one.
torch::Device rankDevice(torch::Device device, const std::string& requested,
                         const DistributedEnv& env) {
    if (!device.is_cuda() || !env.distributed() || (requested != "auto" && requested != "cuda"))
        return device;
    const int gpus = int(torch::cuda::device_count());
    return torch::Device(torch::kCUDA, c10::DeviceIndex(gpus > 0 ? env.localRank % gpus : 0));
}

/// A bool of the experiment's handlers.<section> (checked by fromJson).
bool handlerFlag(const ExperimentConfig& cfg, const std::string& section, const std::string& key) {
    const Json given = cfg.handler(section);
    const Json object = given.is_null() ? Json::object() : given;
    const std::vector<ParamSpec> specs = handlerParams(section);
    return ParamReader(object, "handlers." + section, specs).boolean(key);
}

/// The sections of two experiments that differ ("optimizer, trainer").
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

} // namespace

struct Trainer::Impl {
    ExperimentConfig config;
    std::vector<TrainingObserver*> observers;
    std::string resumeFrom;
    DistributedEnv env;
    std::shared_ptr<RunControl> control; ///< while a distributed run runs

    void message(const std::string& m) {
        for (auto* o : observers)
            o->onMessage(m);
    }
};

Trainer::Trainer(ExperimentConfig config) : impl_(std::make_unique<Impl>()) {
    impl_->config = std::move(config);
}

Trainer::~Trainer() = default;

void Trainer::addObserver(TrainingObserver* observer) {
    impl_->observers.push_back(observer);
}

void Trainer::resumeFrom(std::string checkpoint) {
    impl_->resumeFrom = std::move(checkpoint);
}

void Trainer::setDistributed(DistributedEnv env) {
    env.validate();
    impl_->env = std::move(env);
}

void Trainer::pausing(bool paused) {
    if (impl_->control)
        impl_->control->setPaused(paused);
}

const ExperimentConfig& Trainer::config() const {
    return impl_->config;
}

JobState Trainer::run(const CancelToken& cancel) {
    auto& cfg = impl_->config;
    auto& obs = impl_->observers;
    const int threads = configureThreads(int(cfg.trainer.threads));
    installCpuAllocator(); // reuses a step's large buffers (see CpuAllocator.h)
    setDeterministic(cfg.trainer.deterministic);
    seedTorch(cfg.trainer.seed);
    const torch::Device device =
        rankDevice(resolveDevice(cfg.trainer.device), cfg.trainer.device, impl_->env);
    impl_->message("device: " + device.str() + ", intra-op threads: " + std::to_string(threads) +
                   (cfg.trainer.deterministic ? ", deterministic" : ""));
    DistributedRun dist;
    if (impl_->env.distributed()) {
        dist.options = DistributedOptions::fromJson(cfg.distributed);
        if (cfg.trainer.nan_policy == "skip")
            throw ConfigError("\"skip\" is not supported with several processes (the ranks "
                              "would step differently); use \"stop\"",
                              {}, "trainer.nan_policy");
        const DistributedEnv& e = impl_->env;
        impl_->message("rank " + std::to_string(e.rank) + " of " + std::to_string(e.worldSize) +
                       ": joining the others at " + e.masterAddr + ":" +
                       std::to_string(e.masterPort));
        dist.context = DistributedContext::join(e, dist.options, device);
        dist.control = std::make_shared<RunControl>(dist.context);
        impl_->control = dist.control;
        impl_->message("rank " + std::to_string(e.rank) + " of " + std::to_string(e.worldSize) +
                       " joined (" + dist.context->backend() + ", timeout " +
                       c10::str(dist.options.timeout_s()) + " s)");
    }
    struct ControlReset { // the control lives as long as this run
        Impl& impl;
        ~ControlReset() { impl.control.reset(); }
    } controlReset{*impl_};
    // The token the workflows run with: the user's, or in a distributed run
    // the decision all ranks took together at the last sync point.
    CancelToken agreed;
    const CancelToken& runCancel = dist.active() ? agreed : cancel;
    if (!impl_->resumeFrom.empty()) { // fail before preparing the data
        const CheckpointHeader h = TrainingCheckpoint::readHeader(impl_->resumeFrom);
        const std::string differs = differingSections(h.experiment, cfg.toJson());
        if (!h.experiment.is_null() && !differs.empty())
            impl_->message("note: the experiment differs from the checkpoint's in: " + differs);
    }

    // --- data ---------------------------------------------------------------
    std::error_code ec;
    if (dist.writes())
        fs::create_directories(cfg.outputDir, ec);
    if (ec)
        throw IoError("cannot create the output folder: " + ec.message(), cfg.outputDir);
    if (dist.writes() && !cfg.synthetic.is_null() && !fs::exists(cfg.dataset)) {
        impl_->message("generating the synthetic dataset in " +
                       fs::path(cfg.dataset).parent_path().string());
        StageProgress p(obs, 0.0, 0.3);
        writeSyntheticDataset(fs::path(cfg.dataset).parent_path().string(),
                              syntheticOptionsFromJson(cfg.synthetic), p, &cancel);
    }
    if (dist.active()) // the others read what rank 0 generated
        dist.context->barrier();
    DatalistSplit split = experimentSplit(cfg.dataset, cfg.datalistKey, cfg.validationKey,
                                          cfg.valFraction, cfg.trainer.seed);
    if (split.train.empty() || split.validation.empty())
        throw ConfigError("need at least one training and one validation case; the list has " +
                              std::to_string(split.train.size() + split.validation.size()),
                          cfg.dataset, "data.val_fraction");
    impl_->message("cases: " + std::to_string(split.train.size()) + " training, " +
                   std::to_string(split.validation.size()) + " validation");
    const int world = dist.worldSize(), rank = dist.rank();
    const bool partitioned = dist.active() && dist.options.partition_cache();
    if (dist.active()) {
        if (partitioned)
            split.train = trainingShare(split.train, world, rank, cfg.trainer.seed);
        split.validation = validationShare(split.validation, world, rank);
        impl_->message("rank " + std::to_string(rank) + " " +
                       (partitioned
                            ? "caches its " + std::to_string(split.train.size()) + " training cases"
                            : std::string("indexes all training cases (sampler)")) +
                       " and validates " + std::to_string(split.validation.size()));
    }
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
                                     // own random transforms per rank's share
                                     .seed(cfg.trainer.seed + 1 + (partitioned ? rank * 7919 : 0))
                                     .num_workers(cfg.loaderWorkers)
                                     // a sampler deals each epoch out over the ranks
                                     .num_replicas(dist.active() && !partitioned ? world : 1)
                                     .rank(dist.active() && !partitioned ? rank : 0));
    // whole cases one at a time, in datalist order
    DataLoader valLoader(valSet, DataLoaderOptions().batch_size(1));

    // --- model --------------------------------------------------------------
    Json networkJson = cfg.network;
    if (dist.active() && dist.options.sync_batch_norm()) {
        registerSyncBatchNorm(); // "syncbatch" norms reduce over the group
        networkJson = withSyncBatchNorm(networkJson);
        impl_->message("batch norms synchronized over the " + std::to_string(world) + " processes");
    }
    NetworkPtr net = networkRegistry().create(networkJson, "network");
    net->to(device);
    // 3D on CPU: channels-last activations (oneDNN skips its layout reorders).
    const bool fastLayout =
        preferChannelsLast(device, int64_t(cfg.network.value("spatial_dims", 3)) + 2);
    LossPtr lossFn = lossRegistry().create(cfg.loss, "loss");
    std::shared_ptr<torch::optim::Optimizer> optimizer =
        makeOptimizer(cfg.optimizer, net->parameters(), "optimizer");
    std::shared_ptr<LrScheduler> scheduler;
    if (!cfg.scheduler.is_null())
        scheduler = makeScheduler(cfg.scheduler, *optimizer, "scheduler");

    const fs::path out(cfg.outputDir);
    const CheckpointSaverOptions saving =
        checkpointSaverOptionsFromJson(cfg.checkpoint, out.string());
    auto inOut = [&](const std::string& name) {
        return name.empty() ? name : (out / name).string();
    };
    const RunFiles files{inOut(saving.latest_filename()),
                         saving.save_key_metric() ? inOut(saving.key_metric_filename())
                                                  : std::string(),
                         (out / "best_model_state.pt").string()};
    if (dist.writes())
        writeTextAtomically((out / "experiment.json").string(), cfg.toJson().dump(2) + "\n");

    // --- workflows and handlers ---------------------------------------------
    SupervisedTrainer trainer(device, loader, net, optimizer, lossFn,
                              SupervisedTrainerOptions()
                                  .max_epochs(cfg.trainer.max_epochs)
                                  .channels_last(fastLayout)
                                  .nan_policy(cfg.trainer.nan_policy)
                                  .accumulation_steps(cfg.trainer.accumulation_steps));
    auto evaluator = std::make_shared<SupervisedEvaluator>(
        device, valLoader, net, SupervisedEvaluatorOptions().channels_last(fastLayout), nullptr,
        validationInferer(cfg));
    std::shared_ptr<GradScaler> scaler;
    if (cfg.trainer.amp) { // MONAI's amp=true: autocast, + a gradient scaler on CUDA
        scaler = std::make_shared<GradScaler>(GradScalerOptions().enabled(device.is_cuda()));
        if (device.is_cpu())
            if (std::string w = cpuBf16WarningOnce(); !w.empty() && !cpuHasNativeBf16())
                impl_->message("warning: " + w);
        trainer.setStepHooks(ampTrainingHooks(device, scaler));
        evaluator->setStepHooks(ampEvaluationHooks(device));
    }
    std::unique_ptr<DistributedDataParallel> ddp;
    if (dist.active()) {
        // rank 0's initial weights everywhere; gradients averaged in backward
        ddp = std::make_unique<DistributedDataParallel>(
            dist.context, *net,
            GradientReducerOptions().bucket_cap_mb(dist.options.bucket_cap_mb()));
        trainer.setStepHooks(ddp->wrap(trainer.stepHooks()));
        evaluator->setMetricGather(
            [ctx = dist.context](auto& metrics) { gatherMetrics(*ctx, metrics); });
        attachLossAverage(trainer, *dist.context); // before anything reads the loss
    }
    if (dist.writes())
        evaluator->addHandler(
            std::make_shared<MetricsSaver>(MetricsSaverOptions().save_dir(out.string())));
    auto checkpoint = runCheckpoint(trainer, scheduler.get(), smartCache, cfg);
    if (scaler && scaler->isEnabled())
        addStateful(*checkpoint, "grad_scaler", *scaler);
    const bool resuming = !impl_->resumeFrom.empty();
    if (resuming) { // first: STARTED restores the state the others see
        auto loader = std::make_shared<CheckpointLoader>(
            checkpoint, CheckpointLoaderOptions(impl_->resumeFrom));
        loader->setLogger([this](const std::string& m) { impl_->message(m); });
        trainer.addHandler(loader);
    }
    // The epoch's mean loss for the reports, in the checkpoint (the epoch a
    // run resumes in is averaged whole); before the saver, whose files then
    // hold each iteration's loss.
    auto epochLoss = std::make_shared<EpochLossTracker>();
    trainer.addHandler(epochLoss);
    addStateful(*checkpoint, "epoch_loss", *epochLoss, true);
    // Its part registered now; redoes an epoch end a cancel cut short.
    // on every rank: the others keep the same records (an epoch end to redo
    // after a cancel) without writing files
    auto saver = std::make_shared<CheckpointSaver>(
        checkpoint, CheckpointSaverOptions(saving).write_files(dist.writes()));
    // Callbacks of one event run in this order: lr step, validation, early
    // stop, cache swap, checkpoints, then the reports of what they did. A
    // resumed run that redoes an interrupted epoch end (CheckpointSaver)
    // runs them again but for what the checkpoint already holds: the lr
    // step (recorded) and the cache swap (the SmartCache part saves a
    // finished epoch at the next epoch's position).
    if (scheduler && scheduler->epochLevel())
        attachEpochLrStep(trainer, scheduler, *checkpoint);
    else if (scheduler)
        trainer.addHandler(std::make_shared<LrScheduleHandler>(scheduler));
    trainer.addHandler(std::make_shared<ValidationHandler>(
        evaluator, &runCancel,
        ValidationHandlerOptions()
            .interval(cfg.trainer.val_interval)
            .exec_at_start(handlerFlag(cfg, "validation", "exec_at_start") && !resuming)
            .exec_at_end(handlerFlag(cfg, "validation", "exec_at_end"))));
    std::shared_ptr<EarlyStopHandler> earlyStop;
    std::string monitored; // what early stopping watches, for the message
    if (const Json es = cfg.handler("early_stop"); !es.is_null()) {
        const auto options = EarlyStopHandlerOptions::fromJson(es, "handlers.early_stop");
        monitored = options.monitor() == "loss" ? "training loss" : "key metric";
        earlyStop = std::make_shared<EarlyStopHandler>(options);
        trainer.addHandler(earlyStop);
        // its count and best score go on across a resume (optional: older
        // checkpoints start counting afresh)
        addStateful(*checkpoint, "early_stop", *earlyStop, true);
    }
    if (smartCache) // swap in the items prepared during the epoch
        trainer.on(Event::EpochCompleted, [smartCache, s = saver.get()](Workflow&) {
            if (!s->redoingEpochEnd())
                smartCache->updateCache();
        });
    if (!dist.writes())
        trainer.addHandler(saver);
    if (dist.writes()) { // rank 0 alone writes the run folder
        attachCheckpointSaving(trainer, *evaluator, saver, files);
        trainer.addHandler(std::make_shared<StatsHandler>(
            LogSink(), StatsHandlerOptions()
                           .log_file((out / "train.log").string())
                           .iteration_log(handlerFlag(cfg, "stats", "iteration_log"))
                           .epoch_log(handlerFlag(cfg, "stats", "epoch_log"))));
        if (auto tb = TensorBoardHandlerOptions::fromJson(cfg.handler("tensorboard"), out.string(),
                                                          "handlers.tensorboard"))
            trainer.addHandler(std::make_shared<TensorBoardHandler>(*tb, epochLoss));
    }
    trainer.addHandler(std::make_shared<ObserverHandler>(
        obs, ObserverHandlerOptions().checkpoint(files.checkpoint), epochLoss));

    if (dist.active()) // last: after the reports (rank 0 may pause in them)
        attachRunControl(trainer, *dist.control, cancel, agreed);

    JobState trained = JobState::Completed;
    try {
        trained = trainer.run(runCancel);
    } catch (const CancelledError&) { // cancelled while waiting for data or validating
        trained = JobState::Cancelled;
    }
    if (dist.active()) // nobody leaves while another may still use the store
        dist.context->barrier();
    if (trained == JobState::Cancelled)
        return JobState::Cancelled;
    if (earlyStop && trainer.terminating())
        impl_->message("early stopping after epoch " + std::to_string(trainer.state().epoch) +
                       " of " + std::to_string(trainer.state().maxEpochs) +
                       ": no improvement of the " + monitored + " in " +
                       std::to_string(earlyStop->counter()) + " checks");
    if (trainer.skippedIterations() > 0)
        impl_->message(std::to_string(trainer.skippedIterations()) +
                       " iterations skipped (non-finite loss, trainer.nan_policy \"skip\")");

    // --- the best model's prediction for the first validation case -----------
    if (runCancel.isCancelled())
        return JobState::Cancelled;
    if (!dist.writes())
        return JobState::Completed;
    if (!files.best.empty() && fs::exists(files.best))
        loadCheckpoint(files.best, *net);
    const Sample& s = valSet.cached(0);
    PredictionEvent pe;
    pe.caseName = fs::path(Dataset::describe(valSet.item(0))).filename().string();
    if (pe.caseName.empty())
        pe.caseName = "validation case";
    pe.image = s.at("image");
    pe.label = s.at("label");
    const int64_t outChannels = net->outChannels();
    at::Tensor pred =
        evaluator->predict(s.at("image").data().to(device, torch::kFloat).unsqueeze(0))
            .argmax(1, true)
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
