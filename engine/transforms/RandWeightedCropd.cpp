#include "engine/transforms/RandWeightedCropd.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "engine/transforms/CropOps.h"
#include "engine/transforms/SpatialOps.h"

namespace medulla {

std::vector<std::vector<int64_t>> weightedPatchCenters(const at::Tensor& w,
                                                       const std::vector<int64_t>& spatialSize,
                                                       int64_t n, RandomGenerator& rng,
                                                       const std::string& context) {
    const std::vector<int64_t> shape = w.sizes().vec();
    const std::vector<int64_t> win = fallBackSize(spatialSize, shape, context + ".spatial_size");
    // The 'valid' region: centres whose patch lies inside the map.
    at::Tensor v = w.to(torch::kCPU, torch::kDouble);
    std::vector<int64_t> offset(shape.size()), vShape(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
        const int64_t lo = shape[d] > win[d] ? win[d] / 2 : shape[d] / 2;
        const int64_t hi = shape[d] > win[d] ? shape[d] - win[d] + win[d] / 2 : shape[d] / 2 + 1;
        v = v.narrow(int64_t(d), lo, hi - lo);
        vShape[d] = hi - lo;
        offset[d] = std::min(win[d], shape[d]) / 2;
    }
    v = v.contiguous().reshape({-1});
    if (v.numel() == 0)
        throw ShapeError("the weight map is empty", {}, context + ".w_key");
    if ((v < 0).any().item<bool>())
        v = v - v.min();
    const at::Tensor cum = v.cumsum(0);
    const double* c = cum.data_ptr<double>();
    const int64_t len = cum.numel();
    const double total = c[len - 1];
    std::vector<std::vector<int64_t>> centres;
    for (int64_t i = 0; i < n; ++i) {
        int64_t idx;
        if (!(total > 0) || !std::isfinite(total)) {
            idx = rng.integer(0, len); // nothing to weight by: uniform
        } else {
            // First cumulative weight above u * total (searchsorted, right).
            const double x = rng.uniform() * total;
            idx = int64_t(std::upper_bound(c, c + len, x) - c);
            idx = std::min(idx, len - 1);
        }
        std::vector<int64_t> centre = unravelIndex(idx, vShape);
        for (size_t d = 0; d < centre.size(); ++d)
            centre[d] += offset[d];
        centres.push_back(std::move(centre));
    }
    return centres;
}

RandWeightedCropd::RandWeightedCropd(RandWeightedCropdOptions options)
    : options_(std::move(options)) {
    if (options_.keys().empty())
        throw ConfigError("needs at least one key", {}, "RandWeightedCropd.keys");
    if (options_.w_key().empty())
        throw ConfigError("must name the weight map's key", {}, "RandWeightedCropd.w_key");
    if (options_.spatial_size().empty())
        throw ConfigError("needs 1 value or one per spatial axis", {},
                          "RandWeightedCropd.spatial_size");
    if (options_.num_samples() < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(options_.num_samples()), {},
                          "RandWeightedCropd.num_samples");
}

ComponentInfo RandWeightedCropd::info() {
    return {"RandWeightedCropd",
            "transform",
            "Random patches centred with probability proportional to a weight map.",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to crop"},
             {"w_key", ParamType::String, Json(), 0, 0, {}, "weight map key"},
             {"spatial_size",
              ParamType::IntList,
              Json(),
              -1,
              1e6,
              {},
              "patch size (-1: the image's size)"},
             {"num_samples", ParamType::Int, 1, 1, 100000, {}, "patches per sample"}}};
}

std::shared_ptr<Transform> RandWeightedCropd::fromJson(const Json& config,
                                                       const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RandWeightedCropd>(RandWeightedCropdOptions()
                                                   .keys(r.stringList("keys"))
                                                   .w_key(r.string("w_key"))
                                                   .spatial_size(r.intList("spatial_size"))
                                                   .num_samples(r.integer("num_samples")));
}

Sample RandWeightedCropd::apply(Sample sample, RandomGenerator& rng) const {
    return std::move(applyMany(std::move(sample), rng).front());
}

std::vector<Sample> RandWeightedCropd::applyMany(Sample sample, RandomGenerator& rng) const {
    const Volume& weight = sample.at(options_.w_key());
    const auto centres = weightedPatchCenters(weight.data()[0], options_.spatial_size(),
                                              options_.num_samples(), rng, name());
    std::vector<Sample> out;
    for (const auto& centre : centres) {
        Sample s = sample; // tensors are shared, not copied
        for (const auto& key : options_.keys()) {
            const Volume& v = sample.at(key);
            const auto size =
                fallBackSize(options_.spatial_size(), v.spatialShape(), name() + ".spatial_size");
            Volume cropped = cropToBox(v, boxFromCenter(centre, size));
            s.recordSpatial(key, name());
            s.volumes[key] = std::move(cropped);
        }
        out.push_back(std::move(s));
    }
    return out;
}

Json RandWeightedCropd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"w_key", options_.w_key()},
            {"spatial_size", options_.spatial_size()},
            {"num_samples", options_.num_samples()}};
}

} // namespace medulla
