#include "engine/transforms/LoadImaged.h"

#include "engine/io/LoadImage.h"

namespace medulla {

ComponentInfo LoadImaged::info() {
    return {"LoadImaged",
            "transform",
            "Load the image files (NIfTI, DICOM files or series folders, NRRD, MetaImage, "
            "PNG/JPEG/BMP/TIFF, NumPy) named by the sample's paths, channel first.",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to load"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"},
             {"reader",
              ParamType::String,
              "",
              0,
              0,
              {"", "NiftiReader", "ITKReader", "DicomReader", "NumpyReader"},
              "reader name; empty = by suffix and content"},
             {"dtype",
              ParamType::String,
              "float32",
              0,
              0,
              {"float32", "float64", "float16", "int8", "uint8", "int16", "int32", "int64", "bool",
               "none"},
              "voxel type; none keeps the file's"},
             {"image_only", ParamType::Bool, true, 0, 1, {}, "false keeps the metadata record"}}};
}

std::shared_ptr<Transform> LoadImaged::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<LoadImaged>(LoadImagedOptions()
                                            .keys(r.stringList("keys"))
                                            .allow_missing_keys(r.boolean("allow_missing_keys"))
                                            .reader(r.string("reader"))
                                            .dtype(r.string("dtype"))
                                            .image_only(r.boolean("image_only")));
}

Sample LoadImaged::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        auto it = sample.paths.find(key);
        if (it == sample.paths.end()) {
            if (options_.allow_missing_keys())
                continue;
            throw ShapeError("sample has no path for key \"" + key + "\"", {}, "LoadImaged.keys");
        }
        LoadImageOptions o;
        o.reader(options_.reader())
            .dtype(parseDtype(options_.dtype(), "LoadImaged.dtype"))
            .ensure_channel_first(true);
        LoadedImage img = loadImageFile(it->second, o);
        if (img.data.dim() < 3 || img.data.dim() > 4)
            throw ShapeError("a " + std::to_string(img.data.dim() - 1) +
                                 "-D image cannot be a 2D/3D volume",
                             it->second, "LoadImaged.keys");
        sample.volumes[key] = Volume(img.data, img.affine);
        if (!options_.image_only())
            sample.meta[key] = std::move(img.meta);
    }
    return sample;
}

Json LoadImaged::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"allow_missing_keys", options_.allow_missing_keys()},
            {"reader", options_.reader()},
            {"dtype", options_.dtype()},
            {"image_only", options_.image_only()}};
}

} // namespace medulla
