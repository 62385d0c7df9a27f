#include "engine/transforms/NormalizeIntensityd.h"

#include "engine/transforms/IntensityOps.h"

namespace medulla {

ComponentInfo NormalizeIntensityd::info() {
    return {"NormalizeIntensityd",
            "transform",
            "Subtract the mean and divide by the standard deviation (or given values).",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"subtrahend",
              ParamType::FloatList,
              Json::array(),
              0,
              0,
              {},
              "value(s) to subtract; empty = the mean"},
             {"divisor",
              ParamType::FloatList,
              Json::array(),
              0,
              0,
              {},
              "value(s) to divide by; empty = the standard deviation"},
             {"nonzero", ParamType::Bool, false, 0, 1, {}, "only the non-zero voxels"},
             {"channel_wise", ParamType::Bool, false, 0, 1, {}, "each channel on its own"}}};
}

std::shared_ptr<Transform> NormalizeIntensityd::fromJson(const Json& config,
                                                         const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    auto options = NormalizeIntensitydOptions()
                       .keys(r.stringList("keys"))
                       .subtrahend(r.numberList("subtrahend"))
                       .divisor(r.numberList("divisor"))
                       .nonzero(r.boolean("nonzero"))
                       .channel_wise(r.boolean("channel_wise"));
    if (!options.channel_wise() &&
        (options.subtrahend().size() > 1 || options.divisor().size() > 1))
        throw ConfigError("several values need channel_wise = true", "",
                          context + (options.subtrahend().size() > 1 ? ".subtrahend" : ".divisor"));
    return std::make_shared<NormalizeIntensityd>(options);
}

Sample NormalizeIntensityd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        Volume& v = sample.at(key);
        v.setData(normalizeIntensity(v.data(), options_.subtrahend(), options_.divisor(),
                                     options_.nonzero(), options_.channel_wise()));
    }
    return sample;
}

Json NormalizeIntensityd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"subtrahend", options_.subtrahend()},
            {"divisor", options_.divisor()},
            {"nonzero", options_.nonzero()},
            {"channel_wise", options_.channel_wise()}};
}

} // namespace medulla
