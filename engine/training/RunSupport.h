#pragma once
/// Pieces every run kind shares (supervised Trainer, GanRun, evaluation):
/// reading an experiment file, choosing the device, forwarding preparation
/// progress to observers.

#include <torch/types.h>

#include <string>
#include <vector>

#include "engine/core/Params.h"
#include "engine/core/Progress.h"
#include "engine/training/TrainingEvents.h"

namespace medulla {

/// The JSON of an experiment file. IoError naming the file when it cannot
/// be opened; ConfigError naming it when it is not valid JSON.
Json readExperimentJson(const std::string& path);

/// Throws a ConfigError naming trainer.device unless `name` is "auto",
/// "cpu", "cuda" or "cuda:N" (checked when an experiment is read).
void checkDeviceName(const std::string& name);

/// trainer.device as a device: "auto" (CUDA device 0 when this LibTorch has
/// a usable GPU, else the CPU), "cpu", "cuda" or "cuda:N". Throws a
/// ConfigError naming trainer.device when CUDA is asked for but unusable or
/// the index is out of range, or when the name is none of these.
torch::Device resolveDevice(const std::string& name);

/// Forwards a preparation stage's progress (0..1) to the observers as the
/// [begin, end] part of the whole preparation. The observers are not owned.
class StageProgress : public ProgressSink {
public:
    StageProgress(const std::vector<TrainingObserver*>& observers, double begin, double end)
        : observers_(observers), begin_(begin), end_(end) {}
    void progress(double fraction, const std::string& what) override;

private:
    const std::vector<TrainingObserver*>& observers_;
    double begin_, end_;
};

} // namespace medulla
