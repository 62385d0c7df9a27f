#include "engine/transforms/Orientationd.h"

#include "engine/core/Error.h"
#include "engine/transforms/ResampleOps.h"

namespace medulla {

Orientationd::Orientationd(OrientationdOptions options) : options_(std::move(options)) {
    if (!options_.as_closest_canonical() &&
        (options_.axcodes().size() < 2 || options_.axcodes().size() > 3))
        throw ConfigError("axcodes must have 2 or 3 letters, e.g. \"RAS\"", {},
                          "Orientationd.axcodes");
}

ComponentInfo Orientationd::info() {
    return {"Orientationd",
            "transform",
            "Reorient axes (permute/flip) to the given axis codes.",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
             {"axcodes",
              ParamType::String,
              "RAS",
              0,
              0,
              {},
              "target orientation: one letter per axis from LR, PA, IS"},
             {"as_closest_canonical",
              ParamType::Bool,
              false,
              0,
              0,
              {},
              "reorient to the closest canonical (RAS) orientation"}}};
}

std::shared_ptr<Transform> Orientationd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<Orientationd>(
        OrientationdOptions()
            .keys(r.stringList("keys"))
            .axcodes(r.string("axcodes"))
            .as_closest_canonical(r.boolean("as_closest_canonical")));
}

Sample Orientationd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        sample.recordSpatial(key, name());
        Volume& v = sample.at(key);
        const std::string codes = options_.as_closest_canonical() ? "RAS" : options_.axcodes();
        v = orientationVolume(v, codes, "Orientationd");
    }
    return sample;
}

Json Orientationd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"axcodes", options_.axcodes()},
            {"as_closest_canonical", options_.as_closest_canonical()}};
}

} // namespace medulla
