#include "engine/transforms/RandScaleIntensityd.h"

#include <torch/torch.h>

#include "engine/transforms/IntensityOps.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

RandScaleIntensityd::RandScaleIntensityd(RandScaleIntensitydOptions options)
    : options_(std::move(options)) {
    if (!(options_.prob() >= 0.0 && options_.prob() <= 1.0))
        throw ConfigError("must be in [0, 1]", {}, name() + ".prob");
    range_ = symmetricRange(options_.factors(), name() + ".factors");
    dtype_ = parseDtypeName(options_.dtype(), name() + ".dtype");
}

ComponentInfo RandScaleIntensityd::info() {
    return {"RandScaleIntensityd",
            "transform",
            "Randomly scale intensities: v * (1 + factor), factor from the factors range.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"factors",
              ParamType::FloatList,
              Json(),
              -1e30,
              1e30,
              {},
              "factor range; one value v means (-v, v)"},
             {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of scaling"},
             {"channel_wise", ParamType::Bool, false, 0, 1, {}, "one factor per channel"},
             {"dtype", ParamType::String, "float32", 0, 0, {}, "output data type"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> RandScaleIntensityd::fromJson(const Json& config,
                                                         const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        if (!r.has("factors") || r.raw("factors").is_null())
            throw ConfigError("required parameter is missing", {}, r.field("factors"));
        return std::make_shared<RandScaleIntensityd>(
            RandScaleIntensitydOptions()
                .keys(r.stringList("keys"))
                .factors(r.numberList("factors"))
                .prob(r.number("prob"))
                .channel_wise(r.boolean("channel_wise"))
                .dtype(r.string("dtype"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample RandScaleIntensityd::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    const auto keys = presentKeys(sample, options_.keys(), options_.allow_missing_keys(), name());
    if (keys.empty())
        return sample;
    const int64_t n = options_.channel_wise() ? sample.at(keys.front()).channels() : 1;
    std::vector<double> factors;
    for (int64_t c = 0; c < n; ++c)
        factors.push_back(rng.uniform(range_.first, range_.second));
    for (const auto& key : keys) {
        Volume& v = sample.at(key);
        at::Tensor out;
        if (!options_.channel_wise()) {
            out = scaleIntensity(v.data(), std::nullopt, std::nullopt, factors[0], false);
        } else {
            if (v.channels() != n)
                throw ShapeError("\"" + key + "\" has " + std::to_string(v.channels()) +
                                     " channels, the factors were drawn for " + std::to_string(n),
                                 {}, name() + ".channel_wise");
            std::vector<at::Tensor> channels;
            for (int64_t c = 0; c < n; ++c)
                channels.push_back(scaleIntensity(v.data()[c], std::nullopt, std::nullopt,
                                                  factors[size_t(c)], false));
            out = torch::stack(channels);
        }
        v.setData(dtype_ ? out.to(*dtype_) : out);
    }
    return sample;
}

Json RandScaleIntensityd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"factors", options_.factors()},
            {"prob", options_.prob()},
            {"channel_wise", options_.channel_wise()},
            {"dtype", options_.dtype()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
