#include "engine/transforms/RandGaussianSharpend.h"

#include "engine/transforms/FilterOps.h"
#include "engine/transforms/PostParams.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {
namespace {

/// sigma2_*: one value (low; high = the drawn sigma1) or (low, high).
std::vector<double> lowOrRange(const ParamReader& r, const std::string& key) {
    std::vector<double> v = r.numberList(key);
    if (v.size() == 2)
        return postparams::range(r, key, 0.0);
    if (v.size() != 1)
        throw ConfigError("needs one value or two (low, high), got " + std::to_string(v.size()), {},
                          r.field(key));
    if (!(v[0] >= 0.0))
        throw ConfigError("must be >= 0", {}, r.field(key));
    return v;
}

} // namespace

ComponentInfo RandGaussianSharpend::info() {
    auto spec = [](const char* name, Json def, const char* help) {
        return ParamSpec{name, ParamType::FloatList, std::move(def), 0, 1e6, {}, help};
    };
    return {"RandGaussianSharpend",
            "transform",
            "Gaussian sharpening with random sigmas and alpha, applied with probability prob.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             spec("sigma1_x", Json{0.5, 1.0}, "(low, high) of the first blur's sigma, dim 0"),
             spec("sigma1_y", Json{0.5, 1.0}, "(low, high) of the first blur's sigma, dim 1"),
             spec("sigma1_z", Json{0.5, 1.0}, "(low, high) of the first blur's sigma, dim 2"),
             spec("sigma2_x", 0.5, "second blur's sigma, dim 0: (low, high) or low (to sigma1)"),
             spec("sigma2_y", 0.5, "second blur's sigma, dim 1: (low, high) or low (to sigma1)"),
             spec("sigma2_z", 0.5, "second blur's sigma, dim 2: (low, high) or low (to sigma1)"),
             spec("alpha", Json{10.0, 30.0}, "(low, high) of the sharpening weight"),
             {"approx",
              ParamType::String,
              "erf",
              0,
              0,
              {"erf", "sampled", "scalespace"},
              "discrete Gaussian kernel type"},
             {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of applying"}}};
}

std::shared_ptr<Transform> RandGaussianSharpend::fromJson(const Json& config,
                                                          const std::string& context) {
    return withTransformName("RandGaussianSharpend", [&]() -> std::shared_ptr<Transform> {
        static const ComponentInfo i = info();
        ParamReader r(config, context, i.params);
        return std::make_shared<RandGaussianSharpend>(
            RandGaussianSharpendOptions()
                .keys(r.stringList("keys"))
                .sigma1_x(postparams::range(r, "sigma1_x", 0.0))
                .sigma1_y(postparams::range(r, "sigma1_y", 0.0))
                .sigma1_z(postparams::range(r, "sigma1_z", 0.0))
                .sigma2_x(lowOrRange(r, "sigma2_x"))
                .sigma2_y(lowOrRange(r, "sigma2_y"))
                .sigma2_z(lowOrRange(r, "sigma2_z"))
                .alpha(postparams::range(r, "alpha"))
                .approx(r.string("approx"))
                .prob(r.number("prob")));
    });
}

Sample RandGaussianSharpend::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    const auto& o = options_;
    std::vector<double> s1 = {postparams::draw(rng, o.sigma1_x()[0], o.sigma1_x()[1]),
                              postparams::draw(rng, o.sigma1_y()[0], o.sigma1_y()[1]),
                              postparams::draw(rng, o.sigma1_z()[0], o.sigma1_z()[1])};
    const std::vector<double>* r2[3] = {&o.sigma2_x(), &o.sigma2_y(), &o.sigma2_z()};
    std::vector<double> s2(3);
    for (size_t d = 0; d < 3; ++d) {
        const std::vector<double>& r = *r2[d];
        s2[d] = postparams::draw(rng, r[0], r.size() == 2 ? r[1] : s1[d]);
    }
    const double alpha = postparams::draw(rng, o.alpha()[0], o.alpha()[1]);
    for (const auto& key : o.keys()) {
        Volume& v = sample.at(key);
        const auto nd = std::min<size_t>(3, size_t(std::max<int64_t>(1, v.data().dim() - 1)));
        v.setData(gaussianSharpen(v.data(), {s1.begin(), s1.begin() + long(nd)},
                                  {s2.begin(), s2.begin() + long(nd)}, alpha, o.approx()));
    }
    return sample;
}

Json RandGaussianSharpend::toJson() const {
    const auto& o = options_;
    auto one = [](const std::vector<double>& v) { return v.size() == 1 ? Json(v[0]) : Json(v); };
    return {{"name", name()},
            {"keys", o.keys()},
            {"sigma1_x", o.sigma1_x()},
            {"sigma1_y", o.sigma1_y()},
            {"sigma1_z", o.sigma1_z()},
            {"sigma2_x", one(o.sigma2_x())},
            {"sigma2_y", one(o.sigma2_y())},
            {"sigma2_z", one(o.sigma2_z())},
            {"alpha", o.alpha()},
            {"approx", o.approx()},
            {"prob", o.prob()}};
}

} // namespace medulla
