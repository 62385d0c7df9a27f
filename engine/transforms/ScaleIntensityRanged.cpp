#include "engine/transforms/ScaleIntensityRanged.h"

#include "engine/transforms/IntensityOps.h"

namespace medulla {

ComponentInfo ScaleIntensityRanged::info() {
    return {"ScaleIntensityRanged",
            "transform",
            "Map intensities [a_min, a_max] linearly to [b_min, b_max] (e.g. a CT window).",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"a_min", ParamType::Float, 0.0, -1e30, 1e30, {}, "input value mapped to b_min"},
             {"a_max", ParamType::Float, 255.0, -1e30, 1e30, {}, "input value mapped to b_max"},
             {"b_min", ParamType::Float, 0.0, -1e30, 1e30, {}, "output for a_min"},
             {"b_max", ParamType::Float, 1.0, -1e30, 1e30, {}, "output for a_max"},
             {"clip", ParamType::Bool, false, 0, 1, {}, "clip the output to [b_min, b_max]"}}};
}

std::shared_ptr<Transform> ScaleIntensityRanged::fromJson(const Json& config,
                                                          const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<ScaleIntensityRanged>(ScaleIntensityRangedOptions()
                                                      .keys(r.stringList("keys"))
                                                      .a_min(r.number("a_min"))
                                                      .a_max(r.number("a_max"))
                                                      .b_min(r.number("b_min"))
                                                      .b_max(r.number("b_max"))
                                                      .clip(r.boolean("clip")));
}

Sample ScaleIntensityRanged::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        Volume& v = sample.at(key);
        v.setData(scaleIntensityRange(v.data(), options_.a_min(), options_.a_max(),
                                      options_.b_min(), options_.b_max(), options_.clip()));
    }
    return sample;
}

Json ScaleIntensityRanged::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"a_min", options_.a_min()},
            {"a_max", options_.a_max()},
            {"b_min", options_.b_min()},
            {"b_max", options_.b_max()},
            {"clip", options_.clip()}};
}

} // namespace medulla
