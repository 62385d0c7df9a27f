#pragma once
/// Evaluation of a trained model for front ends (the studio's Results
/// view): the engine's `medulla evaluate` / `medulla infer` path
/// (engine/training/ModelEvaluation.h: the experiment's val_transforms,
/// inferer and weights, SegmentationSaver's predictions in the original
/// image space) case by case, with progress and cancellation.
/// Qt-free and LibTorch-free: the ui layer includes it.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/Params.h"

namespace medulla {

/// One case of an evaluation.
struct CaseResult {
    std::string caseName;   ///< the evaluator's case id (labelled) or the image's file stem
    std::string image;      ///< source image file (or DICOM folder)
    std::string label;      ///< ground-truth file; empty for an unlabelled case
    std::string prediction; ///< the predicted label map (NIfTI, original image space)
    /// Means over the foreground classes (NaN classes ignored; NaN when no
    /// class has a value, inf when a distance is infinite, e.g. an empty
    /// prediction). All NaN for an unlabelled case (no metrics).
    double dice = 0;
    double hd95 = 0;                ///< 95th-percentile Hausdorff distance, mm
    double meanSurfaceDistance = 0; ///< symmetric mean surface distance, mm
    bool scored = false;            ///< false: unlabelled, the metrics are NaN
};

struct EvaluationRequest {
    /// The experiment: `experiment` when it is an object, else the file
    /// `experimentJson`, else <model>/experiment.json (a run folder holds
    /// the experiment it trained).
    Json experiment;
    std::string experimentJson;
    /// A run folder (best_model_state.pt, best_model.pt or checkpoint.pt),
    /// a Medulla checkpoint or a PyTorch state dict (loadModelWeights).
    std::string model;
    /// (image, label) pairs; an empty label: predicted, not scored. Empty:
    /// the experiment's validation cases (evaluationCases, as training split
    /// them).
    std::vector<std::pair<std::string, std::string>> cases;
    /// Folder of the predictions, <outputDir>/<case>/<case>_seg.nii.gz.
    /// Required.
    std::string outputDir;
    /// Intra-op threads; 0: trainer.threads of the experiment.
    int threads = 0;
};

/// Called on the worker after each case, with the number done so far and
/// the total.
using CaseCallback = std::function<void(const CaseResult&, int done, int total)>;

/// The experiment of `request` (see EvaluationRequest::experiment) as
/// JSON. Throws IoError/ConfigError naming the file.
Json evaluationExperiment(const EvaluationRequest& request);

/// (image, label) pairs of the experiment's validation cases (the cases
/// evaluateCases uses for an empty request.cases). Throws as
/// evaluateCases.
std::vector<std::pair<std::string, std::string>> validationCases(const EvaluationRequest& request);

/// Predicts (and scores, when labelled) every case, on the calling thread,
/// calling `onCase` (may be empty) after each. Labelled cases run through
/// the full val_transforms, unlabelled ones through those of the image key
/// (first the labelled, then the unlabelled ones). Returns the results in
/// that order; when `cancel` fires it stops between cases and returns the
/// cases done so far. Throws IoError/ConfigError/ShapeError naming the file
/// or field (missing model, weights that do not fit, unreadable image).
std::vector<CaseResult> evaluateCases(const EvaluationRequest& request, const CaseCallback& onCase,
                                      const CancelToken* cancel = nullptr);

/// A metric value as a table shows it: "%.4f" (decimals) for a finite
/// value, "—" (an em dash) for NaN or infinity.
std::string formatMetric(double value, int decimals = 4);

} // namespace medulla
