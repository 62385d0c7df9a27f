#include "engine/transforms/SaveImaged.h"

#include <algorithm>
#include <filesystem>

#include "engine/core/AtomicFile.h"
#include "engine/io/ImageLoader.h"
#include "engine/transforms/TransformArgs.h"
#include "engine/transforms/TransformLog.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

/// Python's os.path.splitext on a file name (a leading dot is no extension).
std::pair<std::string, std::string> splitExt(const std::string& name) {
    const size_t dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0 ||
        name.find_first_not_of('.') > dot) // ".hidden" or "..x"
        return {name, ""};
    return {name.substr(0, dot), name.substr(dot)};
}

} // namespace

SaveImaged::SaveImaged(SaveImagedOptions options) : options_(std::move(options)) {
    const std::string n = name();
    if (options_.resample())
        throw ConfigError("resample=true is not supported: resample the data first (e.g. "
                          "Spacingd or Invertd) and save with resample=false",
                          {}, n + ".resample");
    ext_ = lower(options_.output_ext().empty() ? options_.output_format() : options_.output_ext());
    if (!ext_.empty() && ext_[0] != '.')
        ext_ = "." + ext_;
    static const std::vector<std::string> supported = {".nii.gz", ".nii", ".npz", ".npy", ".png"};
    if (std::find(supported.begin(), supported.end(), ext_) == supported.end())
        throw ConfigError("unsupported output_ext \"" + ext_ +
                              "\" (supported: .nii.gz, .nii, .npz, .npy, .png)",
                          {}, n + ".output_ext");
    parseDtypeName(options_.dtype(), n + ".dtype");
    outputDtype_ = parseDtypeName(options_.output_dtype(), n + ".output_dtype");
    // As MONAI: PNG holds uint8 (or uint16) only; the PNG writer rounds and clamps.
    if (ext_ == ".png" && outputDtype_ && *outputDtype_ != at::kByte)
        outputDtype_ = std::nullopt;
}

ComponentInfo SaveImaged::info() {
    using P = ParamType;
    return {"SaveImaged",
            "transform",
            "Write volumes to files named after their source files.",
            {{"keys", P::StringList, Json{"image"}, 0, 0, {}, "keys to save"},
             {"output_dir", P::String, "./", 0, 0, {}, "output folder"},
             {"output_postfix", P::String, "trans", 0, 0, {}, "appended to the file name"},
             {"output_ext", P::String, ".nii.gz", 0, 0, {}, ".nii.gz, .nii, .npz, .npy or .png"},
             {"resample", P::Bool, false, 0, 1, {}, "only false is supported"},
             {"mode", P::String, "nearest", 0, 0, {}, "resampling mode (unused)"},
             {"padding_mode", P::String, "border", 0, 0, {}, "resampling padding (unused)"},
             {"dtype", P::String, "float64", 0, 0, {}, "resampling dtype (unused)"},
             {"output_dtype", P::String, "float32", 0, 0, {}, "data type written"},
             {"allow_missing_keys", P::Bool, false, 0, 1, {}, "skip absent keys"},
             {"squeeze_end_dims", P::Bool, true, 0, 1, {}, "accepted for MONAI configs"},
             {"data_root_dir", P::String, "", 0, 0, {}, "keep source folders below this root"},
             {"separate_folder", P::Bool, true, 0, 1, {}, "one folder per source file"},
             {"print_log", P::Bool, true, 0, 1, {}, "log each written file"},
             {"output_format", P::String, "", 0, 0, {}, "extension if output_ext is empty"},
             {"savepath_in_metadict", P::Bool, false, 0, 1, {}, "record saved_to in meta"}}};
}

std::shared_ptr<Transform> SaveImaged::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        auto str = [&](const char* k) {
            return r.has(k) && r.raw(k).is_null() ? std::string() : r.string(k);
        };
        return std::make_shared<SaveImaged>(
            SaveImagedOptions()
                .keys(r.stringList("keys"))
                .output_dir(r.string("output_dir"))
                .output_postfix(r.string("output_postfix"))
                .output_ext(r.string("output_ext"))
                .resample(r.boolean("resample"))
                .mode(r.string("mode"))
                .padding_mode(r.string("padding_mode"))
                .dtype(str("dtype"))
                .output_dtype(str("output_dtype"))
                .allow_missing_keys(r.boolean("allow_missing_keys"))
                .squeeze_end_dims(r.boolean("squeeze_end_dims"))
                .data_root_dir(r.string("data_root_dir"))
                .separate_folder(r.boolean("separate_folder"))
                .print_log(r.boolean("print_log"))
                .output_format(r.string("output_format"))
                .savepath_in_metadict(r.boolean("savepath_in_metadict")));
    });
}

std::string SaveImaged::outputPath(const std::string& source, const std::string& patchIndex) const {
    const std::string subject = source.empty() ? std::to_string(dataIndex_.load()) : source;
    const fs::path input(subject);
    auto [stem, ext] = splitExt(input.filename().string());
    if (ext == ".gz")
        stem = splitExt(stem).first;
    fs::path out(options_.output_dir());
    const fs::path dir = input.parent_path();
    if (!options_.data_root_dir().empty() && !dir.empty())
        out /= dir.lexically_relative(options_.data_root_dir());
    if (options_.separate_folder())
        out /= stem;
    std::string file =
        options_.output_postfix().empty() ? stem : stem + "_" + options_.output_postfix();
    if (!patchIndex.empty())
        file += "_" + patchIndex;
    return (out / (file + ext_)).lexically_normal().string();
}

Sample SaveImaged::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key :
         presentKeys(sample, options_.keys(), options_.allow_missing_keys(), name())) {
        const Volume& v = sample.at(key);
        std::string source, patch;
        auto meta = sample.meta.find(key);
        auto path = sample.paths.find(key);
        const bool hasMeta = meta != sample.meta.end() && !meta->second.filenames.empty();
        if (hasMeta && meta->second.filenames.size() == 1)
            source = meta->second.filenames[0];
        else if (path != sample.paths.end()) // what was loaded, e.g. a DICOM folder
            source = path->second;
        else if (hasMeta) // several files (a DICOM series): their folder
            source = fs::path(meta->second.filenames[0]).parent_path().string();
        if (meta != sample.meta.end()) {
            auto p = meta->second.tags.find("patch_index");
            if (p != meta->second.tags.end())
                patch = p->second;
        }
        const std::string file = outputPath(source, patch);
        const Volume out = outputDtype_ ? Volume(v.data().to(*outputDtype_), v.affine()) : v;
        if (options_.print_log())
            transformLog(name(), "writing: " + file);
        // saveImage picks the format from the name, so the temporary file
        // ends in the same extension.
        writeAtomically(
            file, [&](const std::string& tmp) { saveImage(out, tmp); }, ext_);
        ++dataIndex_;
        if (options_.savepath_in_metadict() && meta != sample.meta.end())
            meta->second.tags["saved_to"] = file;
    }
    return sample;
}

Json SaveImaged::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"output_dir", options_.output_dir()},
            {"output_postfix", options_.output_postfix()},
            {"output_ext", options_.output_ext()},
            {"resample", options_.resample()},
            {"mode", options_.mode()},
            {"padding_mode", options_.padding_mode()},
            {"dtype", options_.dtype()},
            {"output_dtype", options_.output_dtype()},
            {"allow_missing_keys", options_.allow_missing_keys()},
            {"squeeze_end_dims", options_.squeeze_end_dims()},
            {"data_root_dir", options_.data_root_dir()},
            {"separate_folder", options_.separate_folder()},
            {"print_log", options_.print_log()},
            {"output_format", options_.output_format()},
            {"savepath_in_metadict", options_.savepath_in_metadict()}};
}

} // namespace medulla
