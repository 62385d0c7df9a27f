#pragma once
/// MONAI's prediction saving at the end of an evaluator's iteration
/// (SaveImaged after Invertd in the post-transforms): every row of the
/// evaluator's lastOutput() is written as one image file in the space of
/// the original image, i.e. on the grid (shape and affine) the row's image
/// had before its spatial transforms, through Invertd (Sample::applied):
/// exact for crop, pad, flip, rotate90 and orientation, nearest-neighbour
/// (labels) or linear (probabilities) for spacing, resize, zoom, rotate and
/// affine.
///
/// What is written per row (mode):
///   "label"          argmax over the channels, uint8 (uint16 when there
///                    are more than 255 classes), 1 channel;
///   "probabilities"  softmax over the channels (or the scores as they are
///                    when `softmax` is false), float32, C channels.
/// File: output_dir/<subject>/<subject>_<postfix><ext> with separate_folder,
/// else output_dir/<subject>_<postfix><ext> (MONAI's SaveImage layout;
/// subject = the source image's file name without its extension, or
/// "case_<n>" when there is none, n counting the rows this saver wrote,
/// from 0). Written atomically (temporary file +
/// rename); a failure (full disk, unwritable folder) throws IoError naming
/// the file, and files written before stay.
///
/// Threads: the evaluator's thread.

#include <torch/arg.h>

#include <string>
#include <vector>

#include "engine/core/Params.h"
#include "engine/training/Workflow.h"

namespace medulla {

class Evaluator;

struct SegmentationSaverOptions {
    TORCH_ARG(std::string, output_dir) = "./";
    TORCH_ARG(std::string, output_postfix) = "seg";
    TORCH_ARG(std::string, output_ext) = ".nii.gz";
    /// "label" or "probabilities".
    TORCH_ARG(std::string, mode) = "label";
    /// "probabilities": apply a softmax over the channels first.
    TORCH_ARG(bool, softmax) = true;
    /// Map back to the original image space (false: the transformed grid).
    TORCH_ARG(bool, invert) = true;
    TORCH_ARG(bool, separate_folder) = true;
    /// The key whose applied transforms and source file are used.
    TORCH_ARG(std::string, image_key) = "image";

public: // (TORCH_ARG leaves the members private)
    static std::vector<ParamSpec> params();
    /// Errors are ConfigErrors naming "<context>.<field>".
    static SegmentationSaverOptions fromJson(const Json& j, const std::string& context);
};

class SegmentationSaver : public Handler {
public:
    /// Throws ConfigError naming an invalid option (mode, output_ext).
    explicit SegmentationSaver(SegmentationSaverOptions options);
    /// `workflow` must be an Evaluator (std::invalid_argument otherwise).
    void attach(Workflow& workflow) override;

    /// Every file written so far, in order.
    const std::vector<std::string>& written() const { return written_; }

private:
    void save(const Evaluator& evaluator);

    SegmentationSaverOptions options_;
    std::vector<std::string> written_;
    int64_t rows_ = 0; ///< rows saved so far (the n of "case_<n>")
};

} // namespace medulla
