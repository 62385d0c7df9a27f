#include "engine/transforms/Affined.h"

#include "engine/transforms/KeyParams.h"
#include "engine/transforms/ResampleOps.h"

namespace medulla {

Affined::Affined(AffinedOptions options) : options_(std::move(options)) {
    checkGridModes(options_.mode(), options_.padding_mode(), options_.keys().size(), "Affined");
    for (double s : options_.scale_params())
        if (s == 0)
            throw ConfigError("scale factors must not be 0", {}, "Affined.scale_params");
}

ComponentInfo Affined::info() {
    auto list = [](const char* name, const char* help) {
        return ParamSpec{name, ParamType::FloatList, Json::array(), -1e6, 1e6, {}, help};
    };
    ComponentInfo info{
        "Affined",
        "transform",
        "Affine transform (rotate, shear, translate, scale) about the image centre.",
        {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
         list("rotate_params", "radians: 1 (2D) or 3 (3D)"),
         list("shear_params", "2 (2D) or 6 (3D) shear factors"),
         list("translate_params", "voxels per axis"),
         list("scale_params", "factor per axis"),
         {"spatial_size",
          ParamType::IntList,
          Json::array(),
          -1,
          1000000,
          {},
          "output size (empty or <= 0: the input's)"},
         {"align_corners", ParamType::Bool, false, 0, 0, {}, "grid_sample align_corners"}}};
    appendGridModeSpecs(info.params, "reflection");
    return info;
}

std::shared_ptr<Transform> Affined::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<Affined>(AffinedOptions()
                                         .keys(r.stringList("keys"))
                                         .rotate_params(r.numberList("rotate_params"))
                                         .shear_params(r.numberList("shear_params"))
                                         .translate_params(r.numberList("translate_params"))
                                         .scale_params(r.numberList("scale_params"))
                                         .spatial_size(r.intList("spatial_size"))
                                         .mode(r.stringList("mode"))
                                         .padding_mode(r.stringList("padding_mode"))
                                         .align_corners(r.boolean("align_corners")));
}

Sample Affined::apply(Sample sample, RandomGenerator&) const {
    AffineParams p{options_.rotate_params(), options_.shear_params(), options_.translate_params(),
                   options_.scale_params(), options_.spatial_size()};
    const auto& keys = options_.keys();
    for (size_t i = 0; i < keys.size(); ++i) {
        sample.recordSpatial(keys[i], name());
        Volume& v = sample.at(keys[i]);
        v = affineVolume(v, p,
                         gridModeFor(options_.mode(), options_.padding_mode(),
                                     options_.align_corners(), i, name()),
                         nullptr, name());
    }
    return sample;
}

Json Affined::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"rotate_params", options_.rotate_params()},
            {"shear_params", options_.shear_params()},
            {"translate_params", options_.translate_params()},
            {"scale_params", options_.scale_params()},
            {"spatial_size", options_.spatial_size()},
            {"mode", options_.mode()},
            {"padding_mode", options_.padding_mode()},
            {"align_corners", options_.align_corners()}};
}

} // namespace medulla
