#pragma once
/// Events a training run reports, and the observer that receives them.
/// Plain value types (no LibTorch beyond <ATen/Tensor.h> through Volume), so
/// the Qt bridge can include this header.

#include <string>

#include "engine/core/JobState.h"
#include "engine/core/Volume.h"

namespace medulla {

struct IterationEvent {
    int epoch = 0;     ///< 1-based
    int iteration = 0; ///< 1-based within the epoch
    int iterationsPerEpoch = 0;
    long long globalStep = 0; ///< 1-based over the run
    long long totalSteps = 0;
    double loss = 0;
};

struct EpochEvent {
    int epoch = 0; ///< 1-based
    int maxEpochs = 0;
    double meanLoss = 0;
    double lr = 0;           ///< learning rate of the first parameter group at the epoch's end
    double valMeanDice = -1; ///< < 0 when no validation ran this epoch
    double bestValMeanDice = -1;
    int bestEpoch = 0;
    double seconds = 0;     ///< wall time of the epoch, validation included
    std::string checkpoint; ///< the checkpoint written after this epoch
};

/// The best model's prediction for one validation case, sent after training.
struct PredictionEvent {
    std::string caseName;
    Volume image;      ///< (C, X, Y, Z) float32
    Volume label;      ///< (1, X, Y, Z) ground truth
    Volume prediction; ///< (1, X, Y, Z) argmax labels
    double dice = 0;   ///< mean foreground Dice of this case
    std::string file;  ///< where the prediction was written (NIfTI)
};

/// Receives a run's events on the training thread; implementations must be
/// thread-safe and must not block (queue to another thread instead).
class TrainingObserver : public JobObserver {
public:
    /// Long preparation (data generation, caching): fraction in [0, 1].
    virtual void onPreparing(double fraction, const std::string& what) {}
    virtual void onIteration(const IterationEvent& event) {}
    virtual void onEpoch(const EpochEvent& event) {}
    virtual void onPrediction(const PredictionEvent& event) {}
};

} // namespace medulla
