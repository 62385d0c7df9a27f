#include "engine/transforms/BorderPadd.h"

#include "engine/transforms/CropOps.h"
#include "engine/transforms/CropPadOps.h"

namespace medulla {

BorderPadd::BorderPadd(BorderPaddOptions options) : options_(std::move(options)) {
    const size_t n = options_.spatial_border().size();
    if (n != 1 && n != 2 && n != 3 && n != 4 && n != 6)
        throw ConfigError("needs 1, N or 2N values (N = 2 or 3 spatial axes), got " +
                              std::to_string(n),
                          {}, "BorderPadd.spatial_border");
    checkPadMode(options_.mode(), "BorderPadd.mode");
}

ComponentInfo BorderPadd::info() {
    ComponentInfo info{
        "BorderPadd",
        "transform",
        "Pad every spatial border by spatial_border voxels.",
        {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
         {"spatial_border",
          ParamType::IntList,
          Json(),
          -1000000,
          1000000,
          {},
          "1 value, one per axis, or start/end per axis"}}};
    for (const ParamSpec& p : padParamSpecs())
        if (p.name != "method")
            info.params.push_back(p);
    return info;
}

std::shared_ptr<Transform> BorderPadd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<BorderPadd>(BorderPaddOptions()
                                            .keys(r.stringList("keys"))
                                            .spatial_border(r.intList("spatial_border"))
                                            .mode(r.string("mode"))
                                            .value(r.number("value")));
}

Sample BorderPadd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        Volume padded = borderPadVolume(sample.at(key), options_.spatial_border(), options_.mode(),
                                        options_.value(), name());
        sample.recordSpatial(key, name());
        sample.volumes[key] = std::move(padded);
    }
    return sample;
}

Json BorderPadd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"spatial_border", options_.spatial_border()},
            {"mode", options_.mode()},
            {"value", options_.value()}};
}

} // namespace medulla
