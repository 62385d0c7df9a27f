#include "engine/transforms/Rotate90d.h"

#include "engine/transforms/CropPadOps.h"

namespace medulla {

ComponentInfo Rotate90d::info() {
    return {"Rotate90d",
            "transform",
            "Rotate by k x 90 degrees in the plane of spatial_axes.",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
             {"k", ParamType::Int, 1, -1000, 1000, {}, "number of quarter turns"},
             {"spatial_axes",
              ParamType::IntList,
              Json{0, 1},
              -1000000,
              1000000,
              {},
              "the two spatial axes of the plane"}}};
}

std::shared_ptr<Transform> Rotate90d::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    auto options = Rotate90dOptions()
                       .keys(r.stringList("keys"))
                       .k(r.integer("k"))
                       .spatial_axes(r.intList("spatial_axes"));
    if (options.spatial_axes().size() != 2)
        throw ConfigError("needs 2 axes", "", context + ".spatial_axes");
    return std::make_shared<Rotate90d>(options);
}

Sample Rotate90d::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        sample.recordSpatial(key, name());
        Volume& v = sample.at(key);
        v = rotate90Volume(v, options_.k(), options_.spatial_axes().at(0),
                           options_.spatial_axes().at(1));
    }
    return sample;
}

Json Rotate90d::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"k", options_.k()},
            {"spatial_axes", options_.spatial_axes()}};
}

} // namespace medulla
