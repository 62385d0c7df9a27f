#include "engine/training/handlers/SegmentationSaver.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/core/Random.h"
#include "engine/io/ImageLoader.h"
#include "engine/io/NiftiIO.h"
#include "engine/training/Evaluator.h"
#include "engine/transforms/Invertd.h"
#include "engine/transforms/SaveImaged.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

const std::vector<std::string>& supportedExtensions() {
    static const std::vector<std::string> ext = {".nii.gz", ".nii", ".npz", ".npy"};
    return ext;
}

/// The source file a row was loaded from (SaveImaged's rule): the one file
/// of its metadata, else the path it was loaded from (a DICOM folder), else
/// the folder of a multi-file source; "" when there is none.
std::string sourceOf(const Sample& record, const std::string& key) {
    auto meta = record.meta.find(key);
    const bool hasMeta = meta != record.meta.end() && !meta->second.filenames.empty();
    if (hasMeta && meta->second.filenames.size() == 1)
        return meta->second.filenames[0];
    if (auto path = record.paths.find(key); path != record.paths.end())
        return path->second;
    if (hasMeta)
        return fs::path(meta->second.filenames[0]).parent_path().string();
    return {};
}

} // namespace

std::vector<ParamSpec> SegmentationSaverOptions::params() {
    using T = ParamType;
    return {{"output_dir", T::String, "./", 0, 0, {}, "folder of the written files"},
            {"output_postfix", T::String, "seg", 0, 0, {}, "appended to the file name"},
            {"output_ext",
             T::String,
             ".nii.gz",
             0,
             0,
             {".nii.gz", ".nii", ".npz", ".npy"},
             "file format"},
            {"mode",
             T::String,
             "label",
             0,
             0,
             {"label", "probabilities"},
             "argmax label map (uint8) or per-class probabilities (float32)"},
            {"softmax", T::Bool, true, 0, 1, {}, "probabilities: softmax over the channels first"},
            {"invert", T::Bool, true, 0, 1, {}, "map back to the original image's grid"},
            {"separate_folder", T::Bool, true, 0, 1, {}, "one folder per case"},
            {"image_key", T::String, "image", 0, 0, {}, "key whose history is inverted"}};
}

SegmentationSaverOptions SegmentationSaverOptions::fromJson(const Json& j,
                                                            const std::string& context) {
    static const auto specs = params();
    const Json object = j.is_null() ? Json::object() : j;
    ParamReader r(object, context, specs);
    SegmentationSaverOptions o;
    o.output_dir(r.string("output_dir"))
        .output_postfix(r.string("output_postfix"))
        .output_ext(r.string("output_ext"))
        .mode(r.string("mode"))
        .softmax(r.boolean("softmax"))
        .invert(r.boolean("invert"))
        .separate_folder(r.boolean("separate_folder"))
        .image_key(r.string("image_key"));
    return o;
}

SegmentationSaver::SegmentationSaver(SegmentationSaverOptions options)
    : options_(std::move(options)) {
    if (options_.mode() != "label" && options_.mode() != "probabilities")
        throw ConfigError("unknown mode \"" + options_.mode() + "\" (label or probabilities)", {},
                          "SegmentationSaver.mode");
    const auto& ext = supportedExtensions();
    if (std::find(ext.begin(), ext.end(), options_.output_ext()) == ext.end())
        throw ConfigError("unsupported output_ext \"" + options_.output_ext() +
                              "\" (.nii.gz, .nii, .npz or .npy)",
                          {}, "SegmentationSaver.output_ext");
    if (options_.image_key().empty())
        throw ConfigError("must name a key", {}, "SegmentationSaver.image_key");
}

void SegmentationSaver::attach(Workflow& workflow) {
    auto* evaluator = dynamic_cast<Evaluator*>(&workflow);
    if (!evaluator)
        throw std::invalid_argument("SegmentationSaver attaches to an Evaluator, not to \"" +
                                    workflow.name() + "\"");
    workflow.on(Event::IterationCompleted, [this, evaluator](Workflow&) { save(*evaluator); });
}

void SegmentationSaver::save(const Evaluator& evaluator) {
    const EvaluatorOutput& out = evaluator.lastOutput();
    if (!out.prediction.defined())
        return;
    const bool labels = options_.mode() == "label";
    // SaveImaged's path rules (MONAI's FolderLayout).
    const SaveImaged layout(SaveImagedOptions()
                                .output_dir(options_.output_dir())
                                .output_postfix(options_.output_postfix())
                                .output_ext(options_.output_ext())
                                .separate_folder(options_.separate_folder()));
    const std::string& imageKey = options_.image_key();
    const std::string predKey = imageKey == "pred" ? "pred_" : "pred";
    const Invertd invert(
        InvertdOptions().keys({predKey}).orig_keys({imageKey}).nearest_interp({labels}));
    const at::Tensor scores = out.prediction.detach().to(torch::kCPU, torch::kFloat);
    const int64_t classes = scores.size(1);
    for (int64_t row = 0; row < scores.size(0); ++row) {
        // (C, *spatial) on the transformed grid: labels as float for the
        // resampler (nearest keeps them integers), or probabilities.
        at::Tensor data = labels               ? scores[row].argmax(0, true).to(torch::kFloat)
                          : options_.softmax() ? scores[row].softmax(0)
                                               : scores[row].contiguous();
        const Affine affine =
            size_t(row) < out.affines.size() ? out.affines[size_t(row)] : Affine();
        Sample sample = size_t(row) < out.records.size() ? out.records[size_t(row)] : Sample();
        Volume v(data, affine);
        if (options_.invert()) {
            // The image's transformed grid stands in for the image itself.
            sample.volumes[imageKey] = Volume(data, affine);
            sample.volumes[predKey] = v;
            RandomGenerator unused;
            sample = invert.apply(std::move(sample), unused);
            v = sample.at(predKey);
        }
        std::string source = sourceOf(sample, imageKey);
        if (source.empty())
            source = "case_" + std::to_string(rows_);
        const std::string file = layout.outputPath(source, "");
        const bool nifti = isNiftiPath(file);
        if (labels) {
            // uint8 up to 255 classes; uint16 beyond (int32 outside NIfTI:
            // LibTorch has no uint16 tensors).
            const bool wide = classes > 255;
            const Volume label(v.data().round().to(wide ? torch::kInt : torch::kByte), v.affine());
            if (wide && nifti)
                writeNifti(label, file, NiftiVoxelType::UInt16);
            else
                saveImage(label, file);
        } else {
            saveImage(Volume(v.data().to(torch::kFloat).contiguous(), v.affine()), file);
        }
        ++rows_;
        written_.push_back(file);
    }
}

} // namespace medulla
