#include "app/cli/InferCommand.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app/cli/InferenceSetup.h"
#include "engine/core/Error.h"
#include "engine/core/Threads.h"
#include "engine/data/Datalist.h"
#include "engine/io/ImageReader.h"
#include "engine/training/SupervisedEvaluator.h"
#include "engine/training/handlers/SegmentationSaver.h"

namespace fs = std::filesystem;

namespace medulla::cli {
namespace {

enum class FileKind { Other, Image, Dicom };

/// What the readers make of a regular file: a DICOM file, another image
/// file, or neither.
FileKind kindOf(const fs::path& file) {
    if (file.filename().string().rfind('.', 0) == 0)
        return FileKind::Other; // hidden (and our own temporary files)
    const FileProbe probe = probeFile(file.string());
    bool image = false;
    for (const auto& reader : ReaderRegistry::instance().readers()) {
        if (!reader->canRead(probe))
            continue;
        if (reader->name() == "DicomReader")
            return FileKind::Dicom;
        image = true;
    }
    return image ? FileKind::Image : FileKind::Other;
}

bool holdsDicom(const fs::path& folder) {
    for (const auto& e : fs::directory_iterator(folder))
        if (e.is_regular_file() && kindOf(e.path()) == FileKind::Dicom)
            return true;
    return false;
}

Sample imageItem(const std::string& path) {
    Sample s;
    s.paths["image"] = path;
    return s;
}

std::vector<Sample> folderInputs(const fs::path& folder) {
    std::vector<std::string> images, series;
    bool dicomHere = false;
    for (const auto& e : fs::directory_iterator(folder)) {
        if (e.is_directory()) {
            if (e.path().filename().string().rfind('.', 0) != 0 && holdsDicom(e.path()))
                series.push_back(e.path().string());
            continue;
        }
        if (!e.is_regular_file())
            continue;
        const FileKind k = kindOf(e.path());
        if (k == FileKind::Image)
            images.push_back(e.path().string());
        dicomHere = dicomHere || k == FileKind::Dicom;
    }
    std::sort(images.begin(), images.end());
    std::sort(series.begin(), series.end());
    if (dicomHere)
        images.insert(images.begin(), folder.string()); // the folder is one series
    images.insert(images.end(), series.begin(), series.end());
    if (images.empty())
        throw IoError("no image files or DICOM series in this folder", folder.string());
    std::vector<Sample> out;
    for (const auto& p : images)
        out.push_back(imageItem(p));
    return out;
}

/// A bare JSON list of paths (or of {"image": path} objects), relative to
/// the file's folder.
std::vector<Sample> listInputs(const nlohmann::json& list, const std::string& file) {
    const fs::path base = fs::path(file).parent_path();
    std::vector<Sample> out;
    for (size_t i = 0; i < list.size(); ++i) {
        const nlohmann::json& e = list[i];
        const nlohmann::json& p = e.is_object() && e.contains("image") ? e["image"] : e;
        if (!p.is_string())
            throw ConfigError("expected a path or an object with an \"image\" path", file,
                              "[" + std::to_string(i) + "]");
        fs::path path(p.get<std::string>());
        if (path.is_relative())
            path = base / path;
        if (!fs::exists(path))
            throw IoError("not found (entry " + std::to_string(i) + " of " + file + ")",
                          path.string());
        out.push_back(imageItem(path.lexically_normal().string()));
    }
    return out;
}

} // namespace

std::vector<Sample> inferenceInputs(const std::string& input) {
    if (!fs::exists(input))
        throw IoError("not found", input);
    if (fs::is_directory(input))
        return folderInputs(input);
    std::string lower = input;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (lower.size() < 5 || lower.compare(lower.size() - 5, 5, ".json") != 0)
        return {imageItem(input)};
    std::ifstream f(input);
    nlohmann::json j;
    try {
        f >> j;
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(std::string("not valid JSON: ") + e.what(), input, "");
    }
    std::vector<Sample> out =
        j.is_array() ? listInputs(j, input) : loadDecathlonDatalist(input, "test");
    if (out.empty())
        throw IoError("the datalist holds no images", input);
    return out;
}

CLI::App* addInferCommand(CLI::App& app, InferArgs& args) {
    auto* cmd = app.add_subcommand(
        "infer", "Predict unlabelled images with a trained model (the experiment's "
                 "val_transforms on the image key, its inferer) and write each prediction in "
                 "the space of its original image");
    cmd->add_option("experiment", args.experiment, "experiment JSON")->required();
    cmd->add_option("--model", args.model,
                    "run folder (best_model_state.pt, best_model.pt or checkpoint.pt), Medulla "
                    "checkpoint or PyTorch state dict")
        ->required();
    cmd->add_option("--input", args.input,
                    "an image file, a folder of image files or DICOM series, or a JSON datalist "
                    "(a dataset.json's \"test\" list, or a list of paths)")
        ->required();
    cmd->add_option("--output", args.output,
                    "folder of the predictions, <output>/<case>/<case>_seg.nii.gz (default "
                    "./predictions)");
    cmd->add_flag("--probabilities", args.probabilities,
                  "write the softmax probabilities (float32, one channel per class) instead "
                  "of the label map (uint8)");
    cmd->add_option("--threads", args.threads, "intra-op threads (default: trainer.threads)")
        ->check(CLI::PositiveNumber);
    return cmd;
}

int runInfer(const InferArgs& args, const std::function<bool()>& interrupted) {
    const ExperimentConfig cfg = ExperimentConfig::load(args.experiment);
    const int threads =
        configureThreads(args.threads > 0 ? args.threads : int(cfg.trainer.threads));
    const TrainedModel model = loadTrainedModel(cfg, args.model);
    std::vector<Sample> inputs = inferenceInputs(args.input);
    const size_t total = inputs.size();
    std::printf("predicting %zu images with %s (%s), device %s, %d threads\n", total,
                model.weightsFile.c_str(), cfg.network.value("name", "network").c_str(),
                model.device.str().c_str(), threads);
    std::fflush(stdout);

    ModelEvaluationOptions evalOptions;
    evalOptions.labelled = false;
    evalOptions.predictionsDir = args.output;
    evalOptions.predictionMode = args.probabilities ? "probabilities" : "label";
    ModelEvaluation evaluation(cfg, model, std::move(inputs), evalOptions);
    SupervisedEvaluator& evaluator = evaluation.evaluator();
    SegmentationSaver* saver = evaluation.saver();
    size_t printed = 0;
    evaluator.on(Event::IterationCompleted, [&](Workflow& w) {
        for (; printed < saver->written().size(); ++printed)
            std::printf("[%lld/%zu] wrote %s\n", static_cast<long long>(w.state().epochIteration),
                        total, saver->written()[printed].c_str());
        std::fflush(stdout);
    });
    const JobState state = runInterruptible(
        [&](const CancelToken& cancel) { return evaluation.run(cancel); }, interrupted);
    if (state == JobState::Cancelled) {
        std::printf("cancelled after %zu of %zu images; the files written are kept\n",
                    saver->written().size(), total);
        return 130;
    }
    std::printf("wrote %zu predictions in %s\n", saver->written().size(),
                fs::absolute(args.output).lexically_normal().string().c_str());
    return 0;
}

} // namespace medulla::cli
