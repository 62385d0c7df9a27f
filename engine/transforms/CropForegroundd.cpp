#include "engine/transforms/CropForegroundd.h"

#include "engine/transforms/CropOps.h"
#include "engine/transforms/CropPadOps.h"

namespace medulla {

CropForegroundd::CropForegroundd(CropForegrounddOptions options) : options_(std::move(options)) {
    if (options_.source_key().empty())
        throw ConfigError("must name a key", {}, "CropForegroundd.source_key");
    if (options_.margin().empty() || options_.k_divisible().empty())
        throw ConfigError("needs at least one value", {},
                          options_.margin().empty() ? "CropForegroundd.margin"
                                                    : "CropForegroundd.k_divisible");
    for (int64_t m : options_.margin())
        if (m < 0)
            throw ConfigError("must not be negative, got " + std::to_string(m), {},
                              "CropForegroundd.margin");
    checkPadMode(options_.mode(), "CropForegroundd.mode");
}

ComponentInfo CropForegroundd::info() {
    ComponentInfo info{
        "CropForegroundd",
        "transform",
        "Crop to the bounding box of the source key's foreground (> 0) plus a margin.",
        {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to crop"},
         {"source_key", ParamType::String, Json(), 0, 0, {}, "key whose foreground sets the box"},
         {"channel_indices",
          ParamType::IntList,
          Json::array(),
          -1024,
          1024,
          {},
          "channels that count as foreground; empty = all"},
         {"margin", ParamType::IntList, 0, 0, 1000000, {}, "voxels added to each side"},
         {"allow_smaller",
          ParamType::Bool,
          true,
          0,
          0,
          {},
          "clip the margin at the image edges (false: pad beyond)"},
         {"k_divisible",
          ParamType::IntList,
          1,
          -1000000,
          1000000,
          {},
          "make the box size a multiple of k per axis"}}};
    for (const ParamSpec& p : padParamSpecs())
        if (p.name != "method")
            info.params.push_back(p);
    return info;
}

std::shared_ptr<Transform> CropForegroundd::fromJson(const Json& config,
                                                     const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<CropForegroundd>(CropForegrounddOptions()
                                                 .keys(r.stringList("keys"))
                                                 .source_key(r.string("source_key"))
                                                 .channel_indices(r.intList("channel_indices"))
                                                 .margin(r.intList("margin"))
                                                 .allow_smaller(r.boolean("allow_smaller"))
                                                 .k_divisible(r.intList("k_divisible"))
                                                 .mode(r.string("mode"))
                                                 .value(r.number("value")));
}

Sample CropForegroundd::apply(Sample sample, RandomGenerator&) const {
    const CropBox box =
        foregroundBox(sample.at(options_.source_key()).data(), options_.channel_indices(),
                      options_.margin(), options_.allow_smaller(), options_.k_divisible(), name());
    for (const auto& key : options_.keys()) {
        Volume out = cropPadToBox(sample.at(key), box, options_.mode(), options_.value(), name());
        sample.recordSpatial(key, name());
        sample.volumes[key] = std::move(out);
    }
    return sample;
}

Json CropForegroundd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"source_key", options_.source_key()},
            {"channel_indices", options_.channel_indices()},
            {"margin", options_.margin()},
            {"allow_smaller", options_.allow_smaller()},
            {"k_divisible", options_.k_divisible()},
            {"mode", options_.mode()},
            {"value", options_.value()}};
}

} // namespace medulla
