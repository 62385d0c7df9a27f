#include "engine/transforms/RandSpatialCropd.h"

namespace medulla {

void checkRandSpatialCropOptions(const RandSpatialCropdOptions& o, const std::string& context) {
    if (o.keys().empty())
        throw ConfigError("needs at least one key", {}, context + ".keys");
    if (o.roi_size().empty())
        throw ConfigError("needs 1 value or one per spatial axis", {}, context + ".roi_size");
    if (o.random_size() && !o.max_roi_size().empty() &&
        o.max_roi_size().size() == o.roi_size().size())
        for (size_t d = 0; d < o.roi_size().size(); ++d)
            if (o.roi_size()[d] > 0 && o.max_roi_size()[d] > 0 &&
                o.roi_size()[d] > o.max_roi_size()[d])
                throw ConfigError("roi_size " + std::to_string(o.roi_size()[d]) +
                                      " is larger than max_roi_size " +
                                      std::to_string(o.max_roi_size()[d]),
                                  {}, context + ".max_roi_size");
}

CropBox randomSpatialCropBox(const std::vector<int64_t>& shape, const RandSpatialCropdOptions& o,
                             RandomGenerator& rng, const std::string& context) {
    std::vector<int64_t> size = fallBackSize(o.roi_size(), shape, context + ".roi_size");
    if (o.random_size()) {
        const std::vector<int64_t> most =
            o.max_roi_size().empty()
                ? shape
                : fallBackSize(o.max_roi_size(), shape, context + ".max_roi_size");
        for (size_t d = 0; d < shape.size(); ++d)
            if (size[d] > most[d])
                throw ConfigError("the smallest size " + std::to_string(size[d]) +
                                      " is larger than the largest " + std::to_string(most[d]) +
                                      " on axis " + std::to_string(d),
                                  {}, context + ".max_roi_size");
        for (size_t d = 0; d < shape.size(); ++d)
            size[d] = rng.integer(size[d], most[d] + 1);
    }
    if (!o.random_center()) {
        std::vector<int64_t> centre(shape.size());
        for (size_t d = 0; d < shape.size(); ++d)
            centre[d] = shape[d] / 2;
        return boxFromCenter(centre, size);
    }
    CropBox box;
    for (size_t d = 0; d < shape.size(); ++d) {
        const int64_t valid = std::min(size[d], shape[d]);
        const int64_t start = shape[d] > valid ? rng.integer(0, shape[d] - valid + 1) : 0;
        box.start.push_back(start);
        box.end.push_back(start + valid);
    }
    return box;
}

RandSpatialCropd::RandSpatialCropd(RandSpatialCropdOptions options) : options_(std::move(options)) {
    checkRandSpatialCropOptions(options_, "RandSpatialCropd");
}

ComponentInfo RandSpatialCropd::info() {
    return {"RandSpatialCropd",
            "transform",
            "Crop a box of roi_size (or a random size) at a random position.",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to crop"},
             {"roi_size",
              ParamType::IntList,
              Json(),
              -1000000,
              1000000,
              {},
              "box size (random_size: the smallest); -1 = image size"},
             {"max_roi_size",
              ParamType::IntList,
              Json::array(),
              -1000000,
              1000000,
              {},
              "largest box size when random_size; empty = image size"},
             {"random_center", ParamType::Bool, true, 0, 0, {}, "random position, else centre"},
             {"random_size", ParamType::Bool, false, 0, 0, {}, "draw the size per axis"}}};
}

std::shared_ptr<Transform> RandSpatialCropd::fromJson(const Json& config,
                                                      const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RandSpatialCropd>(RandSpatialCropdOptions()
                                                  .keys(r.stringList("keys"))
                                                  .roi_size(r.intList("roi_size"))
                                                  .max_roi_size(r.intList("max_roi_size"))
                                                  .random_center(r.boolean("random_center"))
                                                  .random_size(r.boolean("random_size")));
}

Sample RandSpatialCropd::apply(Sample sample, RandomGenerator& rng) const {
    const CropBox box = randomSpatialCropBox(sample.at(options_.keys().front()).spatialShape(),
                                             options_, rng, name());
    for (const auto& key : options_.keys()) {
        Volume out = cropToBox(sample.at(key), box);
        sample.recordSpatial(key, name());
        sample.volumes[key] = std::move(out);
    }
    return sample;
}

Json RandSpatialCropd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"roi_size", options_.roi_size()},
            {"max_roi_size", options_.max_roi_size()},
            {"random_center", options_.random_center()},
            {"random_size", options_.random_size()}};
}

} // namespace medulla
