#pragma once
/// A trained model at work on cases, shared by `medulla evaluate`,
/// `medulla infer`, `medulla ensemble` and the studio's Results view
/// (engine/services/EvaluationService.h): the experiment's network with
/// trained weights, and one pass of a SupervisedEvaluator over cases with
/// the experiment's val_transforms and inferer, extra per-case scores and
/// the predictions written in the original image space (SegmentationSaver).

#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/JobState.h"
#include "engine/inference/Inferer.h"
#include "engine/networks/Network.h"
#include "engine/training/Experiment.h"
#include "engine/transforms/Sample.h"

namespace medulla {

class Dataset;
class DataLoader;
class SupervisedEvaluator;
class SegmentationSaver;

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

struct ModelEvaluationOptions {
    /// true: cases hold "image" and "label", the full val_transforms run and
    /// every case is scored (Dice without the background is the key metric,
    /// stored as "dice"). false: only the image key (val_transforms
    /// restricted to it, restrictToKeys), predictions without scores.
    bool labelled = true;
    /// Further CaseScorer keys scored beside Dice ("iou", "hd", "hd95",
    /// "asd", "nsd"; "dice" is ignored), each stored under its key.
    std::vector<std::string> scores;
    /// Folder of the predictions (SegmentationSaver layout
    /// <dir>/<case>/<case>_seg.nii.gz); empty: nothing is written.
    std::string predictionsDir;
    /// SegmentationSaver mode: "label" or "probabilities".
    std::string predictionMode = "label";
};

/// One evaluation of `model` on `cases`: a Dataset with the experiment's
/// val_transforms, a loader of one case at a time (the next one loaded
/// while this one is predicted), a SupervisedEvaluator with the model's
/// inferer and channels-last setting, the scores and the saver.
/// Throws ConfigError naming the field for a bad transform or score.
class ModelEvaluation {
public:
    ModelEvaluation(const ExperimentConfig& config, const TrainedModel& model,
                    std::vector<Sample> cases, const ModelEvaluationOptions& options);
    ~ModelEvaluation();
    ModelEvaluation(const ModelEvaluation&) = delete;
    ModelEvaluation& operator=(const ModelEvaluation&) = delete;

    /// Add handlers and event callbacks here before run(). IterationCompleted
    /// callbacks registered after construction run after the saver, so
    /// saver()->written() already holds the case's file.
    SupervisedEvaluator& evaluator() { return *evaluator_; }
    /// Null when options.predictionsDir is empty.
    SegmentationSaver* saver() { return saver_.get(); }
    size_t cases() const { return cases_; }

    /// One pass over the cases; Completed, or Cancelled when `cancel` fired
    /// (between cases).
    JobState run(const CancelToken& cancel);

private:
    size_t cases_ = 0;
    std::unique_ptr<Dataset> dataset_;
    std::unique_ptr<DataLoader> loader_;
    std::unique_ptr<SupervisedEvaluator> evaluator_;
    std::shared_ptr<SegmentationSaver> saver_;
};

} // namespace medulla
