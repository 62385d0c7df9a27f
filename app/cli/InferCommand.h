#pragma once
/// `medulla infer EXPERIMENT.json --model PATH --input IN`: predictions of a
/// trained model for unlabelled images, each written in the space of its
/// original image (SegmentationSaver: label maps, or probabilities).
///
///   medulla infer EXPERIMENT.json --model PATH --input FILE|FOLDER|LIST.json
///                 [--output DIR] [--probabilities] [--threads N]
///
/// The images go through the experiment's val_transforms restricted to the
/// "image" key (restrictToKeys) and its inferer. IN is one image file, a
/// folder (every image file in it; a folder of DICOM files is one series,
/// and so is each subfolder holding DICOM files), or a JSON datalist: a
/// Decathlon dataset.json (its "test" list) or a bare list of paths.
/// One line per written file.

#include <functional>
#include <string>
#include <vector>

#include "engine/transforms/Sample.h"

namespace CLI {
class App;
}

namespace medulla::cli {

struct InferArgs {
    std::string experiment;
    std::string model;
    std::string input;
    std::string output = "predictions";
    bool probabilities = false;
    int threads = 0;
};

/// Registers the "infer" subcommand, filling `args`.
CLI::App* addInferCommand(CLI::App& app, InferArgs& args);

/// The images of --input, each a Sample with paths["image"], in a stable
/// (sorted) order. Throws IoError naming the input when it does not exist
/// or holds no image, ConfigError for a malformed datalist.
std::vector<Sample> inferenceInputs(const std::string& input);

/// Returns the exit code (130 when interrupted between images). Throws
/// medulla::Error naming the file or field.
int runInfer(const InferArgs& args, const std::function<bool()>& interrupted);

} // namespace medulla::cli
