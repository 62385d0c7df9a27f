#pragma once
/// The parts of a TrainingCheckpoint (TrainingCheckpoint.h): each add*()
/// registers one component under a name. Every part restores its component
/// bitwise (tensors are stored as they are; doubles go through JSON with
/// round-trip precision). Components must outlive the checkpoint.

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <functional>
#include <string>

#include "engine/core/Params.h"
#include "engine/training/TrainingCheckpoint.h"

namespace medulla {

class LrScheduler;
class SmartCacheDataset;
class Workflow;

/// Parameters and buffers by name (the layout loadCheckpoint() reads).
/// Loading copies into the existing tensors; strict: every key and shape
/// must match, and the error lists what is missing, unexpected or of
/// another shape; non-strict: what matches is loaded, the rest noted.
/// Also makes the device of the first parameter the default map_location.
void addModel(TrainingCheckpoint& checkpoint, torch::nn::Module& model,
              const std::string& name = "model");

/// The optimizer's own save()/load() (state and param-group options, so
/// the options of the checkpoint win), plus its type and the shapes of its
/// parameter groups: loading into another optimizer type, another number
/// of groups or parameters, or other shapes is a ConfigError saying which.
void addOptimizer(TrainingCheckpoint& checkpoint, torch::optim::Optimizer& optimizer,
                  const std::string& name = "optimizer");

/// LrScheduler::state()/loadState(); loading sets the lrs of that step.
void addScheduler(TrainingCheckpoint& checkpoint, LrScheduler& scheduler,
                  const std::string& name = "scheduler");

/// Any component whose state is JSON (a gradient scaler, ...).
void addJsonState(TrainingCheckpoint& checkpoint, const std::string& name,
                  std::function<Json()> state, std::function<void(const Json&)> loadState,
                  bool optional = false);

/// A component with `Json state() const` and `void loadState(const Json&)`.
template <class T>
void addStateful(TrainingCheckpoint& checkpoint, const std::string& name, T& component,
                 bool optional = false) {
    addJsonState(
        checkpoint, name, [&component] { return Json(component.state()); },
        [&component](const Json& j) { component.loadState(j); }, optional);
}

/// The workflow's progress: epoch, epochLength, epochIteration, iteration,
/// keyMetricName, bestMetric, bestMetricEpoch, metrics and output.
/// Loading sets them all but maxEpochs (the run's own, so a resumed run may
/// be extended); run() then continues with the next iteration. Also the
/// checkpoint's progress source (legacy "epoch"/"best_metric").
void addWorkflowProgress(TrainingCheckpoint& checkpoint, Workflow& workflow,
                         const std::string& name = "progress");

/// The state of every random generator that training draws from: LibTorch's
/// default CPU generator (network initialisation, dropout, torch::rand) and,
/// when CUDA is available, the default generator of every GPU (a file from
/// a machine with fewer GPUs restores those it has). Medulla's own
/// transforms and loaders keep no global generator: their streams are keyed
/// by (seed, epoch, item), see DataLoader.h and Compose.h.
void addRandomGenerators(TrainingCheckpoint& checkpoint, const std::string& name = "rng");

/// The compute settings that bitwise results depend on: the intra-op
/// thread count (at::get_num_threads()) and whether deterministic
/// algorithms are on (isDeterministic(), Determinism.h), as they are when
/// the checkpoint is saved. Loading changes neither; when this process is
/// deterministic and the thread count differs (or the saving run was not
/// deterministic), the load notes a warning that names both counts: the
/// resumed run may not be bitwise equal to an uninterrupted one. An
/// optional part (files written before it existed load without it).
void addComputeSettings(TrainingCheckpoint& checkpoint, const std::string& name = "compute");

/// The SmartCache round-robin position for the next iteration of
/// `workflow` (the position of the epoch in progress, or of the next epoch
/// once an epoch is complete), whichever of the trainer's cache update and
/// the save runs first at EPOCH_COMPLETED. Loading rebuilds the cache there
/// (SmartCacheDataset::restore). The datalist size, cache_num and
/// replace_num must match (ConfigError otherwise). Registers an
/// ITERATION_STARTED callback on `workflow`.
void addSmartCache(TrainingCheckpoint& checkpoint, SmartCacheDataset& dataset, Workflow& workflow,
                   const std::string& name = "smart_cache");

} // namespace medulla
