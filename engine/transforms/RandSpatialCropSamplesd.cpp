#include "engine/transforms/RandSpatialCropSamplesd.h"

namespace medulla {

RandSpatialCropSamplesd::RandSpatialCropSamplesd(RandSpatialCropSamplesdOptions options)
    : options_(std::move(options)) {
    crop_ = RandSpatialCropdOptions()
                .keys(options_.keys())
                .roi_size(options_.roi_size())
                .max_roi_size(options_.max_roi_size())
                .random_center(options_.random_center())
                .random_size(options_.random_size());
    checkRandSpatialCropOptions(crop_, "RandSpatialCropSamplesd");
    if (options_.num_samples() < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(options_.num_samples()), {},
                          "RandSpatialCropSamplesd.num_samples");
}

ComponentInfo RandSpatialCropSamplesd::info() {
    ComponentInfo info = RandSpatialCropd::info();
    info.name = "RandSpatialCropSamplesd";
    info.help = "num_samples random boxes of roi_size (or random sizes) from one sample.";
    info.params.insert(
        info.params.begin() + 2,
        ParamSpec{"num_samples", ParamType::Int, Json(), 1, 100000, {}, "crops per input sample"});
    return info;
}

std::shared_ptr<Transform> RandSpatialCropSamplesd::fromJson(const Json& config,
                                                             const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RandSpatialCropSamplesd>(RandSpatialCropSamplesdOptions()
                                                         .keys(r.stringList("keys"))
                                                         .roi_size(r.intList("roi_size"))
                                                         .num_samples(r.integer("num_samples"))
                                                         .max_roi_size(r.intList("max_roi_size"))
                                                         .random_center(r.boolean("random_center"))
                                                         .random_size(r.boolean("random_size")));
}

Sample RandSpatialCropSamplesd::apply(Sample sample, RandomGenerator& rng) const {
    return std::move(applyMany(std::move(sample), rng).front());
}

std::vector<Sample> RandSpatialCropSamplesd::applyMany(Sample sample, RandomGenerator& rng) const {
    const std::vector<int64_t> shape = sample.at(options_.keys().front()).spatialShape();
    std::vector<Sample> out;
    for (int64_t n = 0; n < options_.num_samples(); ++n) {
        const CropBox box = randomSpatialCropBox(shape, crop_, rng, name());
        Sample s = sample; // tensors are shared, not copied
        for (const auto& key : options_.keys()) {
            Volume cropped = cropToBox(sample.at(key), box);
            s.recordSpatial(key, name());
            s.volumes[key] = std::move(cropped);
        }
        out.push_back(std::move(s));
    }
    return out;
}

Json RandSpatialCropSamplesd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"roi_size", options_.roi_size()},
            {"num_samples", options_.num_samples()},
            {"max_roi_size", options_.max_roi_size()},
            {"random_center", options_.random_center()},
            {"random_size", options_.random_size()}};
}

} // namespace medulla
