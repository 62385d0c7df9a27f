#include "engine/transforms/RandBiasFieldd.h"

#include <torch/torch.h>

#include "engine/transforms/RandIntensityOps.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

RandBiasFieldd::RandBiasFieldd(RandBiasFielddOptions options) : options_(std::move(options)) {
    if (!(options_.prob() >= 0.0 && options_.prob() <= 1.0))
        throw ConfigError("must be in [0, 1]", {}, name() + ".prob");
    if (options_.degree() < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(options_.degree()), {},
                          name() + ".degree");
    if (options_.coeff_range().size() != 2)
        throw ConfigError("expected two values (min, max)", {}, name() + ".coeff_range");
    dtype_ = parseDtypeName(options_.dtype(), name() + ".dtype");
}

ComponentInfo RandBiasFieldd::info() {
    return {"RandBiasFieldd",
            "transform",
            "Randomly multiply by a smooth bias field (MR intensity inhomogeneity).",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"degree", ParamType::Int, 3, 1, 20, {}, "polynomial degree"},
             {"coeff_range",
              ParamType::FloatList,
              Json{0.0, 0.1},
              -1e30,
              1e30,
              {},
              "range of the random coefficients"},
             {"dtype", ParamType::String, "float32", 0, 0, {}, "output data type"},
             {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of applying"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> RandBiasFieldd::fromJson(const Json& config,
                                                    const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        return std::make_shared<RandBiasFieldd>(
            RandBiasFielddOptions()
                .keys(r.stringList("keys"))
                .degree(r.integer("degree"))
                .coeff_range(r.numberList("coeff_range"))
                .dtype(r.string("dtype"))
                .prob(r.number("prob"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample RandBiasFieldd::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    const auto keys = presentKeys(sample, options_.keys(), options_.allow_missing_keys(), name());
    if (keys.empty())
        return sample;
    const auto shape = sample.at(keys.front()).spatialShape();
    const int64_t count = biasFieldCoeffCount(options_.degree(), int64_t(shape.size()));
    const double lo = options_.coeff_range()[0], hi = options_.coeff_range()[1];
    std::vector<double> coeffs;
    for (int64_t i = 0; i < count; ++i)
        coeffs.push_back(lo + (hi - lo) * rng.uniform()); // numpy's uniform(lo, hi)
    const at::Tensor gain = biasField(shape, options_.degree(), coeffs).exp();
    for (const auto& key : keys) {
        Volume& v = sample.at(key);
        if (v.spatialShape() != shape)
            throw ShapeError("\"" + key + "\" has another spatial shape than \"" + keys.front() +
                                 "\"",
                             {}, name() + ".keys");
        const at::ScalarType out = dtype_ ? *dtype_ : v.data().scalar_type();
        v.setData((v.data().to(torch::kDouble) * gain.to(v.data().device()).unsqueeze(0)).to(out));
    }
    return sample;
}

Json RandBiasFieldd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"degree", options_.degree()},
            {"coeff_range", options_.coeff_range()},
            {"dtype", options_.dtype()},
            {"prob", options_.prob()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
