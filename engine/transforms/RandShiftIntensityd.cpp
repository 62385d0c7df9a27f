#include "engine/transforms/RandShiftIntensityd.h"

#include <torch/torch.h>

#include "engine/transforms/RandIntensityOps.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

RandShiftIntensityd::RandShiftIntensityd(RandShiftIntensitydOptions options)
    : options_(std::move(options)) {
    if (!(options_.prob() >= 0.0 && options_.prob() <= 1.0))
        throw ConfigError("must be in [0, 1]", {}, name() + ".prob");
    range_ = symmetricRange(options_.offsets(), name() + ".offsets");
}

ComponentInfo RandShiftIntensityd::info() {
    return {"RandShiftIntensityd",
            "transform",
            "Randomly shift intensities by an offset from the offsets range.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"offsets",
              ParamType::FloatList,
              Json(),
              -1e30,
              1e30,
              {},
              "offset range; one value v means (-v, v)"},
             {"safe", ParamType::Bool, false, 0, 1, {}, "clamp integer types instead of wrapping"},
             {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of shifting"},
             {"channel_wise", ParamType::Bool, false, 0, 1, {}, "one offset per channel"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> RandShiftIntensityd::fromJson(const Json& config,
                                                         const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        if (!r.has("offsets") || r.raw("offsets").is_null())
            throw ConfigError("required parameter is missing", {}, r.field("offsets"));
        return std::make_shared<RandShiftIntensityd>(
            RandShiftIntensitydOptions()
                .keys(r.stringList("keys"))
                .offsets(r.numberList("offsets"))
                .safe(r.boolean("safe"))
                .prob(r.number("prob"))
                .channel_wise(r.boolean("channel_wise"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample RandShiftIntensityd::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    const auto keys = presentKeys(sample, options_.keys(), options_.allow_missing_keys(), name());
    if (keys.empty())
        return sample;
    const int64_t n = options_.channel_wise() ? sample.at(keys.front()).channels() : 1;
    std::vector<double> offsets;
    for (int64_t c = 0; c < n; ++c)
        offsets.push_back(rng.uniform(range_.first, range_.second));
    for (const auto& key : keys) {
        Volume& v = sample.at(key);
        if (!options_.channel_wise()) {
            v.setData(shiftIntensity(v.data(), offsets[0], options_.safe()));
            continue;
        }
        if (v.channels() != n)
            throw ShapeError("\"" + key + "\" has " + std::to_string(v.channels()) +
                                 " channels, the offsets were drawn for " + std::to_string(n),
                             {}, name() + ".channel_wise");
        std::vector<at::Tensor> channels;
        for (int64_t c = 0; c < n; ++c)
            channels.push_back(shiftIntensity(v.data()[c], offsets[size_t(c)], options_.safe()));
        v.setData(torch::stack(channels));
    }
    return sample;
}

Json RandShiftIntensityd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"offsets", options_.offsets()},
            {"safe", options_.safe()},
            {"prob", options_.prob()},
            {"channel_wise", options_.channel_wise()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
