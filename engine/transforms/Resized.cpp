#include "engine/transforms/Resized.h"

#include "engine/transforms/KeyParams.h"
#include "engine/transforms/ResampleOps.h"

namespace medulla {

Resized::Resized(ResizedOptions options) : options_(std::move(options)) {
    if (options_.spatial_size().empty())
        throw ConfigError("spatial_size is required", {}, "Resized.spatial_size");
    if (options_.size_mode() != "all" && options_.size_mode() != "longest")
        throw ConfigError("size_mode must be \"all\" or \"longest\"", {}, "Resized.size_mode");
    checkPerKey(options_.mode(), options_.keys().size(), "Resized.mode");
    (void)parseOptionalBool(options_.align_corners(), "Resized.align_corners");
}

ComponentInfo Resized::info() {
    return {"Resized",
            "transform",
            "Resize to a spatial size (torch interpolate), keeping the field of view.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"spatial_size",
              ParamType::IntList,
              Json(),
              -1,
              1000000,
              {},
              "output size per axis (<= 0 keeps an axis); one value with size_mode=longest"},
             {"size_mode",
              ParamType::String,
              "all",
              0,
              0,
              {"all", "longest"},
              "all: size per axis; longest: size of the longest axis, aspect kept"},
             {"mode", ParamType::StringList, Json{"area"}, 0, 0, interpolateChoices(),
              "interpolation, one for all keys or one per key"},
             {"align_corners",
              ParamType::String,
              "none",
              0,
              0,
              {"none", "true", "false"},
              "for the linear modes"},
             {"anti_aliasing",
              ParamType::Bool,
              false,
              0,
              0,
              {},
              "Gaussian smoothing before downsampling"},
             {"anti_aliasing_sigma",
              ParamType::FloatList,
              Json::array(),
              0,
              1e6,
              {},
              "sigma per axis (empty: (in/out - 1) / 2)"}}};
}

std::shared_ptr<Transform> Resized::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<Resized>(ResizedOptions()
                                         .keys(r.stringList("keys"))
                                         .spatial_size(r.intList("spatial_size"))
                                         .size_mode(r.string("size_mode"))
                                         .mode(r.stringList("mode"))
                                         .align_corners(r.string("align_corners"))
                                         .anti_aliasing(r.boolean("anti_aliasing"))
                                         .anti_aliasing_sigma(r.numberList("anti_aliasing_sigma")));
}

Sample Resized::apply(Sample sample, RandomGenerator&) const {
    const auto& keys = options_.keys();
    for (size_t i = 0; i < keys.size(); ++i) {
        sample.recordSpatial(keys[i], name());
        Volume& v = sample.at(keys[i]);
        v = resizeVolume(v, options_.spatial_size(), options_.size_mode(),
                         perKey(options_.mode(), i),
                         parseOptionalBool(options_.align_corners(), "Resized.align_corners"),
                         options_.anti_aliasing(), options_.anti_aliasing_sigma(), "Resized");
    }
    return sample;
}

Json Resized::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"spatial_size", options_.spatial_size()},
            {"size_mode", options_.size_mode()},
            {"mode", options_.mode()},
            {"align_corners", options_.align_corners()},
            {"anti_aliasing", options_.anti_aliasing()},
            {"anti_aliasing_sigma", options_.anti_aliasing_sigma()}};
}

} // namespace medulla
