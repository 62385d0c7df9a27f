#include "engine/transforms/Zoomd.h"

#include "engine/transforms/KeyParams.h"
#include "engine/transforms/ResampleOps.h"

namespace medulla {

Zoomd::Zoomd(ZoomdOptions options) : options_(std::move(options)) {
    if (options_.zoom().empty())
        throw ConfigError("zoom needs at least one factor", {}, "Zoomd.zoom");
    for (double z : options_.zoom())
        if (!(z > 0))
            throw ConfigError("zoom factors must be positive", {}, "Zoomd.zoom");
    checkPerKey(options_.mode(), options_.keys().size(), "Zoomd.mode");
    checkPerKey(options_.padding_mode(), options_.keys().size(), "Zoomd.padding_mode");
    (void)parseOptionalBool(options_.align_corners(), "Zoomd.align_corners");
}

ComponentInfo Zoomd::info() {
    return {"Zoomd",
            "transform",
            "Zoom the content by factors, keeping the field of view.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"zoom",
              ParamType::FloatList,
              Json{1.0},
              1e-6,
              1e6,
              {},
              "factor for all axes or one per axis (> 1 enlarges)"},
             {"mode", ParamType::StringList, Json{"area"}, 0, 0, interpolateChoices(),
              "interpolation, one for all keys or one per key"},
             {"padding_mode",
              ParamType::StringList,
              Json{"edge"},
              0,
              0,
              {"constant", "edge", "replicate", "reflect", "circular", "wrap"},
              "numpy pad mode used by keep_size"},
             {"align_corners",
              ParamType::String,
              "none",
              0,
              0,
              {"none", "true", "false"},
              "for the linear modes"},
             {"keep_size", ParamType::Bool, true, 0, 0, {}, "pad/crop back to the input size"}}};
}

std::shared_ptr<Transform> Zoomd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<Zoomd>(ZoomdOptions()
                                       .keys(r.stringList("keys"))
                                       .zoom(r.numberList("zoom"))
                                       .mode(r.stringList("mode"))
                                       .padding_mode(r.stringList("padding_mode"))
                                       .align_corners(r.string("align_corners"))
                                       .keep_size(r.boolean("keep_size")));
}

Sample Zoomd::zoomKeys(Sample sample, const ZoomdOptions& o, const std::vector<double>& factors,
                       const std::string& transform) {
    const auto& keys = o.keys();
    for (size_t i = 0; i < keys.size(); ++i) {
        sample.recordSpatial(keys[i], transform);
        Volume& v = sample.at(keys[i]);
        v = zoomVolume(v, factors, perKey(o.mode(), i), perKey(o.padding_mode(), i),
                       parseOptionalBool(o.align_corners(), transform + ".align_corners"),
                       o.keep_size(), transform);
    }
    return sample;
}

Sample Zoomd::apply(Sample sample, RandomGenerator&) const {
    return zoomKeys(std::move(sample), options_, options_.zoom(), name());
}

Json Zoomd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"zoom", options_.zoom()},
            {"mode", options_.mode()},
            {"padding_mode", options_.padding_mode()},
            {"align_corners", options_.align_corners()},
            {"keep_size", options_.keep_size()}};
}

} // namespace medulla
