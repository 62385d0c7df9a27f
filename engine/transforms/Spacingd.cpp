#include "engine/transforms/Spacingd.h"

#include "engine/transforms/KeyParams.h"
#include "engine/transforms/ResampleOps.h"

namespace medulla {

Spacingd::Spacingd(SpacingdOptions options) : options_(std::move(options)) {
    if (options_.pixdim().empty())
        throw ConfigError("pixdim needs at least one value", {}, "Spacingd.pixdim");
    checkGridModes(options_.mode(), options_.padding_mode(), options_.keys().size(), "Spacingd");
}

ComponentInfo Spacingd::info() {
    ComponentInfo info{
        "Spacingd",
        "transform",
        "Resample to a voxel spacing in mm, keeping orientation and origin.",
        {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
         {"pixdim",
          ParamType::FloatList,
          Json{1.0, 1.0, 1.0},
          -1e6,
          1e6,
          {},
          "output spacing (mm) per axis; <= 0 keeps an axis"},
         {"diagonal", ParamType::Bool, false, 0, 0, {}, "resample onto an axis-aligned RAS grid"},
         {"align_corners", ParamType::Bool, false, 0, 0, {}, "grid_sample align_corners"},
         {"scale_extent",
          ParamType::Bool,
          false,
          0,
          0,
          {},
          "scale voxel extents instead of voxel centres"},
         {"min_pixdim",
          ParamType::FloatList,
          Json::array(),
          0,
          1e6,
          {},
          "keep spacings at or above this"},
         {"max_pixdim",
          ParamType::FloatList,
          Json::array(),
          0,
          1e6,
          {},
          "keep spacings at or below this"}}};
    appendGridModeSpecs(info.params, "border");
    return info;
}

std::shared_ptr<Transform> Spacingd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<Spacingd>(SpacingdOptions()
                                          .keys(r.stringList("keys"))
                                          .pixdim(r.numberList("pixdim"))
                                          .diagonal(r.boolean("diagonal"))
                                          .mode(r.stringList("mode"))
                                          .padding_mode(r.stringList("padding_mode"))
                                          .align_corners(r.boolean("align_corners"))
                                          .scale_extent(r.boolean("scale_extent"))
                                          .min_pixdim(r.numberList("min_pixdim"))
                                          .max_pixdim(r.numberList("max_pixdim")));
}

Sample Spacingd::apply(Sample sample, RandomGenerator&) const {
    const auto& keys = options_.keys();
    for (size_t i = 0; i < keys.size(); ++i) {
        SpacingParams p;
        p.pixdim = options_.pixdim();
        p.diagonal = options_.diagonal();
        p.scaleExtent = options_.scale_extent();
        p.minPixdim = options_.min_pixdim();
        p.maxPixdim = options_.max_pixdim();
        p.mode = gridModeFor(options_.mode(), options_.padding_mode(), options_.align_corners(), i,
                             "Spacingd");
        sample.recordSpatial(keys[i], name());
        Volume& v = sample.at(keys[i]);
        v = spacingVolume(v, p, "Spacingd");
    }
    return sample;
}

Json Spacingd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"pixdim", options_.pixdim()},
            {"diagonal", options_.diagonal()},
            {"mode", options_.mode()},
            {"padding_mode", options_.padding_mode()},
            {"align_corners", options_.align_corners()},
            {"scale_extent", options_.scale_extent()},
            {"min_pixdim", options_.min_pixdim()},
            {"max_pixdim", options_.max_pixdim()}};
}

} // namespace medulla
