#include "engine/transforms/SpatialCropd.h"

#include "engine/transforms/CropOps.h"

namespace medulla {

SpatialCropd::SpatialCropd(SpatialCropdOptions options) : options_(std::move(options)) {
    const auto& o = options_;
    const bool centred = !o.roi_center().empty() || !o.roi_size().empty();
    const bool bounded = !o.roi_start().empty() || !o.roi_end().empty();
    if (centred == bounded)
        throw ConfigError("give either roi_center and roi_size or roi_start and roi_end", {},
                          centred ? "SpatialCropd.roi_start" : "SpatialCropd.roi_center");
    if (centred) {
        if (o.roi_center().empty() || o.roi_size().empty())
            throw ConfigError("roi_center and roi_size go together", {},
                              o.roi_center().empty() ? "SpatialCropd.roi_center"
                                                     : "SpatialCropd.roi_size");
        for (int64_t s : o.roi_size())
            if (s < 1)
                throw ConfigError("sizes must be >= 1, got " + std::to_string(s), {},
                                  "SpatialCropd.roi_size");
    } else if (o.roi_start().empty() || o.roi_end().empty()) {
        throw ConfigError("roi_start and roi_end go together", {},
                          o.roi_start().empty() ? "SpatialCropd.roi_start"
                                                : "SpatialCropd.roi_end");
    }
}

ComponentInfo SpatialCropd::info() {
    auto list = [](const char* name, const char* help) {
        return ParamSpec{name, ParamType::IntList, Json::array(), -1000000, 1000000, {}, help};
    };
    return {"SpatialCropd",
            "transform",
            "Crop a box given by centre and size or by start and end (voxels).",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
             list("roi_center", "voxel centre of the box (with roi_size)"),
             list("roi_size", "box size (with roi_center)"),
             list("roi_start", "first voxel of the box (with roi_end)"),
             list("roi_end", "one past the last voxel (with roi_start)")}};
}

std::shared_ptr<Transform> SpatialCropd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<SpatialCropd>(SpatialCropdOptions()
                                              .keys(r.stringList("keys"))
                                              .roi_center(r.intList("roi_center"))
                                              .roi_size(r.intList("roi_size"))
                                              .roi_start(r.intList("roi_start"))
                                              .roi_end(r.intList("roi_end")));
}

Sample SpatialCropd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        const Volume& v = sample.at(key);
        const size_t n = size_t(v.spatialDims());
        CropBox box;
        if (!options_.roi_center().empty())
            box = boxFromCenter(perAxisValues(options_.roi_center(), n, "SpatialCropd.roi_center"),
                                perAxisValues(options_.roi_size(), n, "SpatialCropd.roi_size"));
        else
            box = {perAxisValues(options_.roi_start(), n, "SpatialCropd.roi_start"),
                   perAxisValues(options_.roi_end(), n, "SpatialCropd.roi_end")};
        Volume cropped = cropToBox(v, box);
        sample.recordSpatial(key, name());
        sample.volumes[key] = std::move(cropped);
    }
    return sample;
}

Json SpatialCropd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"roi_center", options_.roi_center()},
            {"roi_size", options_.roi_size()},
            {"roi_start", options_.roi_start()},
            {"roi_end", options_.roi_end()}};
}

} // namespace medulla
