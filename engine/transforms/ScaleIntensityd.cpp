#include "engine/transforms/ScaleIntensityd.h"

#include <torch/torch.h>

#include "engine/transforms/IntensityOps.h"

namespace medulla {

ComponentInfo ScaleIntensityd::info() {
    return {"ScaleIntensityd",
            "transform",
            "Rescale intensities linearly to [minv, maxv].",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"minv", ParamType::Float, 0.0, -1e30, 1e30, {}, "output minimum"},
             {"maxv", ParamType::Float, 1.0, -1e30, 1e30, {}, "output maximum"},
             {"channel_wise", ParamType::Bool, false, 0, 1, {}, "per-channel ranges"}}};
}

std::shared_ptr<Transform> ScaleIntensityd::fromJson(const Json& config,
                                                     const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<ScaleIntensityd>(ScaleIntensitydOptions()
                                                 .keys(r.stringList("keys"))
                                                 .minv(r.number("minv"))
                                                 .maxv(r.number("maxv"))
                                                 .channel_wise(r.boolean("channel_wise")));
}

Sample ScaleIntensityd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        Volume& v = sample.at(key);
        v.setData(scaleIntensity(v.data(), options_.minv(), options_.maxv(), std::nullopt,
                                 options_.channel_wise())
                      .contiguous());
    }
    return sample;
}

Json ScaleIntensityd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"minv", options_.minv()},
            {"maxv", options_.maxv()},
            {"channel_wise", options_.channel_wise()}};
}

} // namespace medulla
