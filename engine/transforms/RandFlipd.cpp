#include "engine/transforms/RandFlipd.h"

#include "engine/transforms/CropPadOps.h"

namespace medulla {

RandFlipd::RandFlipd(RandFlipdOptions options) : options_(std::move(options)) {
    if (!(options_.prob() >= 0 && options_.prob() <= 1))
        throw ConfigError("must be in [0, 1], got " + std::to_string(options_.prob()), {},
                          "RandFlipd.prob");
}

ComponentInfo RandFlipd::info() {
    return {"RandFlipd",
            "transform",
            "With probability prob, flip along spatial axes (all when spatial_axis is empty).",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
             {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of flipping"},
             {"spatial_axis",
              ParamType::IntList,
              Json::array(),
              -3,
              2,
              {},
              "spatial axes to flip; empty = all"}}};
}

std::shared_ptr<Transform> RandFlipd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RandFlipd>(RandFlipdOptions()
                                           .keys(r.stringList("keys"))
                                           .prob(r.number("prob"))
                                           .spatial_axis(r.intList("spatial_axis")));
}

Sample RandFlipd::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    for (const auto& key : options_.keys()) {
        Volume out = flipVolume(sample.at(key), options_.spatial_axis());
        sample.recordSpatial(key, name());
        sample.volumes[key] = std::move(out);
    }
    return sample;
}

Json RandFlipd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"prob", options_.prob()},
            {"spatial_axis", options_.spatial_axis()}};
}

} // namespace medulla
