#include "engine/transforms/GaussianSmoothd.h"

#include "engine/transforms/FilterOps.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

ComponentInfo GaussianSmoothd::info() {
    return {"GaussianSmoothd",
            "transform",
            "Gaussian smoothing with a separable kernel (zeros outside the image).",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"sigma",
              ParamType::FloatList,
              Json{1.0},
              0,
              1e6,
              {},
              "standard deviation in voxels: one value, or one per spatial dim"},
             {"approx",
              ParamType::String,
              "erf",
              0,
              0,
              {"erf", "sampled", "scalespace"},
              "discrete Gaussian kernel type"}}};
}

std::shared_ptr<Transform> GaussianSmoothd::fromJson(const Json& config,
                                                     const std::string& context) {
    return withTransformName("GaussianSmoothd", [&]() -> std::shared_ptr<Transform> {
        static const ComponentInfo i = info();
        ParamReader r(config, context, i.params);
        const std::vector<double> sigma = r.numberList("sigma");
        if (sigma.empty() || sigma.size() > 3)
            throw ConfigError("needs 1 to 3 values, got " + std::to_string(sigma.size()), {},
                              r.field("sigma"));
        for (double s : sigma)
            if (!(s >= 0.0))
                throw ConfigError("must be >= 0, got " + std::to_string(s), {}, r.field("sigma"));
        return std::make_shared<GaussianSmoothd>(GaussianSmoothdOptions()
                                                     .keys(r.stringList("keys"))
                                                     .sigma(sigma)
                                                     .approx(r.string("approx")));
    });
}

Sample GaussianSmoothd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        Volume& v = sample.at(key);
        v.setData(gaussianSmooth(v.data(), options_.sigma(), options_.approx()));
    }
    return sample;
}

Json GaussianSmoothd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"sigma", options_.sigma()},
            {"approx", options_.approx()}};
}

} // namespace medulla
