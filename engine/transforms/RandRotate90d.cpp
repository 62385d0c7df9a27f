#include "engine/transforms/RandRotate90d.h"

#include "engine/transforms/CropPadOps.h"

namespace medulla {

RandRotate90d::RandRotate90d(RandRotate90dOptions options) : options_(std::move(options)) {
    if (!(options_.prob() >= 0 && options_.prob() <= 1))
        throw ConfigError("must be in [0, 1], got " + std::to_string(options_.prob()), {},
                          "RandRotate90d.prob");
    if (options_.max_k() < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(options_.max_k()), {},
                          "RandRotate90d.max_k");
    const auto& a = options_.spatial_axes();
    if (a.size() != 2 || a[0] == a[1] || a[0] < -3 || a[1] < -3 || a[0] > 2 || a[1] > 2)
        throw ConfigError("needs two different spatial axes", {}, "RandRotate90d.spatial_axes");
}

ComponentInfo RandRotate90d::info() {
    return {"RandRotate90d",
            "transform",
            "With probability prob, rotate by k x 90 degrees, k in 1..max_k.",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
             {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of rotating"},
             {"max_k", ParamType::Int, 3, 1, 1000, {}, "largest number of quarter turns"},
             {"spatial_axes",
              ParamType::IntList,
              Json{0, 1},
              -3,
              2,
              {},
              "the two spatial axes of the plane"}}};
}

std::shared_ptr<Transform> RandRotate90d::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RandRotate90d>(RandRotate90dOptions()
                                               .keys(r.stringList("keys"))
                                               .prob(r.number("prob"))
                                               .max_k(r.integer("max_k"))
                                               .spatial_axes(r.intList("spatial_axes")));
}

Sample RandRotate90d::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    const int64_t k = rng.integer(0, options_.max_k()) + 1;
    const auto& axes = options_.spatial_axes();
    for (const auto& key : options_.keys()) {
        Volume out = rotate90Volume(sample.at(key), k, axes[0], axes[1]);
        sample.recordSpatial(key, name());
        sample.volumes[key] = std::move(out);
    }
    return sample;
}

Json RandRotate90d::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"prob", options_.prob()},
            {"max_k", options_.max_k()},
            {"spatial_axes", options_.spatial_axes()}};
}

} // namespace medulla
