#include "engine/transforms/RandGaussianSmoothd.h"

#include "engine/transforms/FilterOps.h"
#include "engine/transforms/PostParams.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

ComponentInfo RandGaussianSmoothd::info() {
    auto range = [](const char* name, const char* help) {
        return ParamSpec{name, ParamType::FloatList, Json{0.25, 1.5}, 0, 1e6, {}, help};
    };
    return {"RandGaussianSmoothd",
            "transform",
            "Gaussian smoothing with random per-axis sigmas, applied with probability prob.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             range("sigma_x", "(low, high) of the sigma of the first spatial dim, voxels"),
             range("sigma_y", "(low, high) of the sigma of the second spatial dim, voxels"),
             range("sigma_z", "(low, high) of the sigma of the third spatial dim, voxels"),
             {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of applying"},
             {"approx",
              ParamType::String,
              "erf",
              0,
              0,
              {"erf", "sampled", "scalespace"},
              "discrete Gaussian kernel type"}}};
}

std::shared_ptr<Transform> RandGaussianSmoothd::fromJson(const Json& config,
                                                         const std::string& context) {
    return withTransformName("RandGaussianSmoothd", [&]() -> std::shared_ptr<Transform> {
        static const ComponentInfo i = info();
        ParamReader r(config, context, i.params);
        return std::make_shared<RandGaussianSmoothd>(
            RandGaussianSmoothdOptions()
                .keys(r.stringList("keys"))
                .sigma_x(postparams::range(r, "sigma_x", 0.0))
                .sigma_y(postparams::range(r, "sigma_y", 0.0))
                .sigma_z(postparams::range(r, "sigma_z", 0.0))
                .prob(r.number("prob"))
                .approx(r.string("approx")));
    });
}

Sample RandGaussianSmoothd::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    const std::vector<double> sigma = {
        postparams::draw(rng, options_.sigma_x()[0], options_.sigma_x()[1]),
        postparams::draw(rng, options_.sigma_y()[0], options_.sigma_y()[1]),
        postparams::draw(rng, options_.sigma_z()[0], options_.sigma_z()[1])};
    for (const auto& key : options_.keys()) {
        Volume& v = sample.at(key);
        const auto nd = size_t(std::max<int64_t>(1, v.data().dim() - 1));
        const std::vector<double> s(sigma.begin(), sigma.begin() + std::min<size_t>(nd, 3));
        v.setData(gaussianSmooth(v.data(), s, options_.approx()));
    }
    return sample;
}

Json RandGaussianSmoothd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"sigma_x", options_.sigma_x()},
            {"sigma_y", options_.sigma_y()},
            {"sigma_z", options_.sigma_z()},
            {"prob", options_.prob()},
            {"approx", options_.approx()}};
}

} // namespace medulla
