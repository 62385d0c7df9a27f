#include "engine/transforms/ThresholdIntensityd.h"

#include "engine/transforms/IntensityOps.h"

namespace medulla {

ComponentInfo ThresholdIntensityd::info() {
    return {"ThresholdIntensityd",
            "transform",
            "Keep intensities above (or below) a threshold; set the others to cval.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"threshold", ParamType::Float, Json(), -1e30, 1e30, {}, "the threshold (required)"},
             {"above", ParamType::Bool, true, 0, 1, {}, "keep values above (else below)"},
             {"cval", ParamType::Float, 0.0, -1e30, 1e30, {}, "value for the others"}}};
}

std::shared_ptr<Transform> ThresholdIntensityd::fromJson(const Json& config,
                                                         const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<ThresholdIntensityd>(ThresholdIntensitydOptions()
                                                     .keys(r.stringList("keys"))
                                                     .threshold(r.number("threshold"))
                                                     .above(r.boolean("above"))
                                                     .cval(r.number("cval")));
}

Sample ThresholdIntensityd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        Volume& v = sample.at(key);
        v.setData(
            thresholdIntensity(v.data(), options_.threshold(), options_.above(), options_.cval()));
    }
    return sample;
}

Json ThresholdIntensityd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"threshold", options_.threshold()},
            {"above", options_.above()},
            {"cval", options_.cval()}};
}

} // namespace medulla
