#pragma once
/// Shared by `medulla evaluate` and `medulla infer`: an experiment's network
/// with trained weights, ready to predict the way its validation does, and a
/// run on a worker thread that Ctrl-C stops between cases.

#include <functional>
#include <string>

#include "engine/core/CancelToken.h"
#include "engine/core/JobState.h"
#include "engine/inference/Inferer.h"
#include "engine/networks/Network.h"
#include "engine/training/Experiment.h"

namespace medulla::cli {

/// A trained network of an experiment.
struct TrainedModel {
    NetworkPtr network; ///< in eval mode, on `device`
    InfererPtr inferer; ///< the experiment's "inferer" (null: SimpleInferer)
    c10::Device device = c10::kCPU;
    bool channelsLast = false; ///< network converted; feed inputs channels-last
    std::string weightsFile;   ///< the file the weights came from
};

/// Builds the experiment's network and inferer and loads the weights of
/// `modelPath` (a run folder, a Medulla checkpoint or a PyTorch state dict:
/// loadModelWeights). The device follows trainer.device ("auto": CUDA when
/// available). Throws IoError naming a missing or unreadable file,
/// ShapeError/ConfigError listing the keys of weights that do not fit.
TrainedModel loadTrainedModel(const ExperimentConfig& config, const std::string& modelPath);

/// Runs `work` on a worker thread while this thread polls `interrupted`
/// every 100 ms; once it returns true the token is cancelled (the work stops
/// between cases). Returns the work's state (Cancelled also when it threw
/// CancelledError); rethrows any other exception of the work here.
JobState runInterruptible(const std::function<JobState(const CancelToken&)>& work,
                          const std::function<bool()>& interrupted);

} // namespace medulla::cli
