#pragma once
/// The studio pipeline editor's live preview: run a transform list (an
/// experiment's "train_transforms" or "val_transforms") on one case, step by
/// step, reporting the shape and spacing after each step, and keep the
/// volumes before and after. Qt-free and LibTorch-free (only <ATen/Tensor.h>
/// through Volume): the ui layer includes it.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/Params.h"
#include "engine/core/Volume.h"

namespace medulla {

/// One transform of the previewed list, as it ran.
struct PreviewStep {
    std::string name;    ///< the transform's name ("Spacingd")
    bool random = false; ///< draws random numbers (isRandomTransform)
    /// Shape (C, X, Y, Z) of the "image" volume after the step (the first
    /// volume when there is no "image"; empty before anything is loaded).
    std::vector<int64_t> shape;
    std::array<double, 3> spacing{}; ///< its voxel size (mm), from the affine
    double seconds = 0;              ///< wall time of the step
    /// Samples the step produced (num_samples of RandCropByPosNegLabeld...);
    /// the preview keeps the first.
    int samples = 1;
    /// Non-empty when the step failed (then it is the last step):
    /// "train_transforms[3] (Spacingd): pixdim: ..." naming the step.
    std::string error;
};

struct PreviewResult {
    std::vector<PreviewStep> steps; ///< the steps run, the failing one last
    std::string error;              ///< the first failing step's error, "" when all ran
    uint64_t seed = 0;              ///< the seed the random steps drew from
    /// After the leading loading steps (LoadImaged, EnsureChannelFirstd,
    /// and the like at the head of the list): "image" and "label" (either
    /// may be invalid when the case or pipeline has none).
    Volume beforeImage, beforeLabel;
    /// After the last step that ran (the first sample).
    Volume afterImage, afterLabel;
};

/// Run `transforms` (a JSON list of {"name": ..., params}) on `item`
/// ({"image": path, "label": path}, relative paths as given) one transform
/// at a time, the way Compose::run does for an item with key 0: each random
/// transform draws from its own generator seeded from (`seed`, its
/// position), so the same seed gives the same result as long as the list
/// does not change, and another seed another crop. `context` names the list
/// in error messages ("train_transforms"). Problems (a bad parameter, a
/// missing file, a crop larger than the image) do not throw: they end the
/// run with PreviewStep::error / PreviewResult::error set. Throws
/// CancelledError when `cancel` is triggered (checked between steps).
PreviewResult previewPipeline(const Json& transforms, const Json& item, uint64_t seed,
                              const CancelToken* cancel = nullptr,
                              const std::string& context = "train_transforms");

/// One case a preview can run on.
struct PreviewCase {
    std::string name;  ///< file name of the image without its extension
    std::string image; ///< resolved path
    std::string label; ///< resolved path, empty when the entry has none
};

/// The cases of an experiment's "data" section: the datalist
/// data.dataset, list data.datalist_key (default "training"), then
/// data.validation_key when set. When data.synthetic is set and the
/// dataset does not exist yet, it is generated first (as the trainer
/// does). Throws IoError/ConfigError naming the file or field.
std::vector<PreviewCase> previewCases(const Json& dataSection, const CancelToken* cancel = nullptr);

} // namespace medulla
