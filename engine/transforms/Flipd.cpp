#include "engine/transforms/Flipd.h"

#include "engine/transforms/CropPadOps.h"

namespace medulla {

ComponentInfo Flipd::info() {
    return {"Flipd",
            "transform",
            "Flip along spatial axes (all when spatial_axis is empty).",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
             {"spatial_axis",
              ParamType::IntList,
              Json::array(),
              -1000000,
              1000000,
              {},
              "spatial axes to flip; empty = all"}}};
}

std::shared_ptr<Transform> Flipd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    auto options =
        FlipdOptions().keys(r.stringList("keys")).spatial_axis(r.intList("spatial_axis"));
    return std::make_shared<Flipd>(options);
}

Sample Flipd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        sample.recordSpatial(key, name());
        Volume& v = sample.at(key);
        v = flipVolume(v, options_.spatial_axis());
    }
    return sample;
}

Json Flipd::toJson() const {
    return {{"name", name()}, {"keys", options_.keys()}, {"spatial_axis", options_.spatial_axis()}};
}

} // namespace medulla
