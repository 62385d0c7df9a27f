#include "engine/transforms/CenterSpatialCropd.h"

#include "engine/transforms/CropPadOps.h"

namespace medulla {

ComponentInfo CenterSpatialCropd::info() {
    return {"CenterSpatialCropd",
            "transform",
            "Crop roi_size voxels around the centre (-1 keeps an axis).",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
             {"roi_size",
              ParamType::IntList,
              Json(),
              -1000000,
              1000000,
              {},
              "size per axis (one value: all axes)"}}};
}

std::shared_ptr<Transform> CenterSpatialCropd::fromJson(const Json& config,
                                                        const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    auto options =
        CenterSpatialCropdOptions().keys(r.stringList("keys")).roi_size(r.intList("roi_size"));
    return std::make_shared<CenterSpatialCropd>(options);
}

Sample CenterSpatialCropd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        sample.recordSpatial(key, name());
        Volume& v = sample.at(key);
        v = centerCropVolume(v, options_.roi_size());
    }
    return sample;
}

Json CenterSpatialCropd::toJson() const {
    return {{"name", name()}, {"keys", options_.keys()}, {"roi_size", options_.roi_size()}};
}

} // namespace medulla
