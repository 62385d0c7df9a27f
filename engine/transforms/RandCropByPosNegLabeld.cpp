#include "engine/transforms/RandCropByPosNegLabeld.h"

#include <torch/torch.h>

#include "engine/transforms/SpatialOps.h"
#include "kernels/cpu/LabelIndices.h"

namespace medulla {

RandCropByPosNegLabeld::RandCropByPosNegLabeld(RandCropByPosNegLabeldOptions options)
    : options_(std::move(options)) {
    if (options_.pos() < 0 || options_.neg() < 0 || options_.pos() + options_.neg() <= 0)
        throw ConfigError("pos and neg must be >= 0 and not both 0", {},
                          "RandCropByPosNegLabeld.pos");
    if (options_.num_samples() < 1)
        throw ConfigError("must be >= 1", {}, "RandCropByPosNegLabeld.num_samples");
}

ComponentInfo RandCropByPosNegLabeld::info() {
    return {"RandCropByPosNegLabeld",
            "transform",
            "Random patches centred on foreground or background voxels.",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to crop"},
             {"label_key", ParamType::String, "label", 0, 0, {}, "label map key"},
             {"spatial_size", ParamType::IntList, Json{96, 96, 96}, -1, 1e6, {}, "patch size"},
             {"pos", ParamType::Float, 1.0, 0, 1e6, {}, "weight of foreground centres"},
             {"neg", ParamType::Float, 1.0, 0, 1e6, {}, "weight of background centres"},
             {"num_samples", ParamType::Int, 1, 1, 1024, {}, "patches per sample"},
             {"image_key", ParamType::String, "", 0, 0, {}, "image for background threshold"},
             {"image_threshold", ParamType::Float, 0.0, -1e30, 1e30, {}, "background threshold"}}};
}

std::shared_ptr<Transform> RandCropByPosNegLabeld::fromJson(const Json& config,
                                                            const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RandCropByPosNegLabeld>(
        RandCropByPosNegLabeldOptions()
            .keys(r.stringList("keys"))
            .label_key(r.string("label_key"))
            .spatial_size(r.intList("spatial_size"))
            .pos(r.number("pos"))
            .neg(r.number("neg"))
            .num_samples(r.integer("num_samples"))
            .image_key(r.string("image_key"))
            .image_threshold(r.number("image_threshold")));
}

Sample RandCropByPosNegLabeld::apply(Sample sample, RandomGenerator& rng) const {
    return std::move(applyMany(std::move(sample), rng).front());
}

std::vector<Sample> RandCropByPosNegLabeld::applyMany(Sample sample, RandomGenerator& rng) const {
    const Volume& label = sample.at(options_.label_key());
    const auto shape = label.spatialShape();
    std::vector<int64_t> size = options_.spatial_size();
    if (size.size() == 1)
        size.assign(shape.size(), size[0]);
    if (size.size() != shape.size())
        throw ShapeError("spatial_size has " + std::to_string(size.size()) + " values for " +
                             std::to_string(shape.size()) + " spatial axes",
                         {}, "RandCropByPosNegLabeld.spatial_size");
    for (size_t d = 0; d < size.size(); ++d) {
        if (size[d] <= 0)
            size[d] = shape[d];
        if (size[d] > shape[d])
            throw ShapeError("patch size " + std::to_string(size[d]) + " exceeds the image size " +
                                 std::to_string(shape[d]) + " on axis " + std::to_string(d),
                             {}, "RandCropByPosNegLabeld.spatial_size");
    }
    at::Tensor image;
    if (!options_.image_key().empty())
        image = sample.at(options_.image_key()).data();
    const kernels::LabelSampler idx(label.data(), image, options_.image_threshold());
    const int64_t nFg = idx.foregroundCount(), nBg = idx.backgroundCount();
    if (nFg == 0 && nBg == 0)
        throw ShapeError("the label has neither foreground nor background voxels to sample", {},
                         "RandCropByPosNegLabeld");

    const double pPos = options_.pos() / (options_.pos() + options_.neg());
    std::vector<Sample> out;
    for (int64_t n = 0; n < options_.num_samples(); ++n) {
        bool positive = rng.uniform() < pPos;
        if (positive && nFg == 0)
            positive = false;
        if (!positive && nBg == 0)
            positive = true;
        // The k-th index of the sorted pool, k uniform (as indexing a list).
        const int64_t flat = idx.select(rng.integer(0, positive ? nFg : nBg), positive);
        const auto centre = unravelIndex(flat, shape);
        std::vector<int64_t> start(shape.size());
        for (size_t d = 0; d < shape.size(); ++d) {
            const int64_t half = size[d] / 2;
            int64_t c = std::clamp(centre[d], half, shape[d] - size[d] + half);
            start[d] = c - half;
        }
        Sample s = sample; // tensors are shared, not copied
        for (const auto& key : options_.keys()) {
            s.recordSpatial(key, name());
            s.volumes[key] = cropVolume(sample.at(key), start, size, /*copy=*/false);
        }
        out.push_back(std::move(s));
    }
    return out;
}

Json RandCropByPosNegLabeld::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"label_key", options_.label_key()},
            {"spatial_size", options_.spatial_size()},
            {"pos", options_.pos()},
            {"neg", options_.neg()},
            {"num_samples", options_.num_samples()},
            {"image_key", options_.image_key()},
            {"image_threshold", options_.image_threshold()}};
}

} // namespace medulla
