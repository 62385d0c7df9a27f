#include "engine/transforms/ResizeWithPadOrCropd.h"

#include "engine/transforms/CropOps.h"
#include "engine/transforms/CropPadOps.h"

namespace medulla {

ResizeWithPadOrCropd::ResizeWithPadOrCropd(ResizeWithPadOrCropdOptions options)
    : options_(std::move(options)) {
    if (options_.spatial_size().empty())
        throw ConfigError("needs 1 value or one per spatial axis", {},
                          "ResizeWithPadOrCropd.spatial_size");
    if (options_.method() != "symmetric" && options_.method() != "end")
        throw ConfigError("must be symmetric or end, not \"" + options_.method() + "\"", {},
                          "ResizeWithPadOrCropd.method");
    checkPadMode(options_.mode(), "ResizeWithPadOrCropd.mode");
}

ComponentInfo ResizeWithPadOrCropd::info() {
    ComponentInfo info{
        "ResizeWithPadOrCropd",
        "transform",
        "Centre-crop or pad each axis to spatial_size (-1 keeps an axis).",
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

std::shared_ptr<Transform> ResizeWithPadOrCropd::fromJson(const Json& config,
                                                          const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<ResizeWithPadOrCropd>(ResizeWithPadOrCropdOptions()
                                                      .keys(r.stringList("keys"))
                                                      .spatial_size(r.intList("spatial_size"))
                                                      .method(r.string("method"))
                                                      .mode(r.string("mode"))
                                                      .value(r.number("value")));
}

Sample ResizeWithPadOrCropd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        Volume out =
            resizeWithPadOrCropVolume(sample.at(key), options_.spatial_size(), options_.method(),
                                      options_.mode(), options_.value(), name());
        sample.recordSpatial(key, name());
        sample.volumes[key] = std::move(out);
    }
    return sample;
}

Json ResizeWithPadOrCropd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"spatial_size", options_.spatial_size()},
            {"method", options_.method()},
            {"mode", options_.mode()},
            {"value", options_.value()}};
}

} // namespace medulla
