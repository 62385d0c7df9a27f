#include "engine/transforms/SpatialPadd.h"

#include "engine/transforms/CropPadOps.h"

namespace medulla {

ComponentInfo SpatialPadd::info() {
    ComponentInfo info{
        "SpatialPadd",
        "transform",
        "Pad to at least spatial_size (-1 keeps an axis).",
        {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
         {"spatial_size",
          ParamType::IntList,
          Json(),
          -1000000,
          1000000,
          {},
          "target size per axis (one value: all axes)"}}};
    const auto pad = padParamSpecs();
    info.params.insert(info.params.end(), pad.begin(), pad.end());
    return info;
}

std::shared_ptr<Transform> SpatialPadd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    auto options = SpatialPaddOptions()
                       .keys(r.stringList("keys"))
                       .spatial_size(r.intList("spatial_size"))
                       .method(r.string("method"))
                       .mode(r.string("mode"))
                       .value(r.number("value"));
    return std::make_shared<SpatialPadd>(options);
}

Sample SpatialPadd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        sample.recordSpatial(key, name());
        Volume& v = sample.at(key);
        v = padVolume(v, options_.spatial_size(), options_.method(), options_.mode(),
                      options_.value(), "SpatialPadd");
    }
    return sample;
}

Json SpatialPadd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"spatial_size", options_.spatial_size()},
            {"method", options_.method()},
            {"mode", options_.mode()},
            {"value", options_.value()}};
}

} // namespace medulla
