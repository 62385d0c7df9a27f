#include "engine/transforms/Rotated.h"

#include "engine/transforms/KeyParams.h"
#include "engine/transforms/ResampleOps.h"

namespace medulla {

Rotated::Rotated(RotatedOptions options) : options_(std::move(options)) {
    if (options_.angle().size() != 1 && options_.angle().size() != 3)
        throw ConfigError("angle needs 1 value (2D or all axes) or 3 values (3D)", {},
                          "Rotated.angle");
    checkGridModes(options_.mode(), options_.padding_mode(), options_.keys().size(), "Rotated");
}

ComponentInfo Rotated::info() {
    ComponentInfo info{
        "Rotated",
        "transform",
        "Rotate about the image centre (radians).",
        {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
         {"angle",
          ParamType::FloatList,
          Json{0.0},
          -1e3,
          1e3,
          {},
          "radians: one (2D) or three (about axes 0, 1, 2)"},
         {"keep_size",
          ParamType::Bool,
          true,
          0,
          0,
          {},
          "keep the input size (else grow to hold the rotated image)"},
         {"align_corners", ParamType::Bool, false, 0, 0, {}, "grid_sample align_corners"}}};
    appendGridModeSpecs(info.params, "border");
    return info;
}

std::shared_ptr<Transform> Rotated::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<Rotated>(RotatedOptions()
                                         .keys(r.stringList("keys"))
                                         .angle(r.numberList("angle"))
                                         .keep_size(r.boolean("keep_size"))
                                         .mode(r.stringList("mode"))
                                         .padding_mode(r.stringList("padding_mode"))
                                         .align_corners(r.boolean("align_corners")));
}

Sample Rotated::rotateKeys(Sample sample, const RotatedOptions& o, const std::vector<double>& angle,
                           const std::string& transform) {
    const auto& keys = o.keys();
    for (size_t i = 0; i < keys.size(); ++i) {
        sample.recordSpatial(keys[i], transform);
        Volume& v = sample.at(keys[i]);
        const std::vector<double> a =
            v.spatialDims() == 2 ? std::vector<double>{angle.at(0)} : angle;
        v = rotateVolume(v, a, o.keep_size(),
                         gridModeFor(o.mode(), o.padding_mode(), o.align_corners(), i, transform),
                         transform);
    }
    return sample;
}

Sample Rotated::apply(Sample sample, RandomGenerator&) const {
    return rotateKeys(std::move(sample), options_, options_.angle(), name());
}

Json Rotated::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"angle", options_.angle()},
            {"keep_size", options_.keep_size()},
            {"mode", options_.mode()},
            {"padding_mode", options_.padding_mode()},
            {"align_corners", options_.align_corners()}};
}

} // namespace medulla
