#include "engine/transforms/RandAdjustContrastd.h"

#include "engine/transforms/RandIntensityOps.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

RandAdjustContrastd::RandAdjustContrastd(RandAdjustContrastdOptions options)
    : options_(std::move(options)) {
    if (!(options_.prob() >= 0.0 && options_.prob() <= 1.0))
        throw ConfigError("must be in [0, 1]", {}, name() + ".prob");
    const auto& g = options_.gamma();
    if (g.size() == 1) {
        if (!(g[0] > 0.5))
            throw ConfigError("a single gamma must be > 0.5 (it is drawn from (0.5, gamma))", {},
                              name() + ".gamma");
        range_ = {0.5, g[0]};
    } else if (g.size() == 2) {
        range_ = {std::min(g[0], g[1]), std::max(g[0], g[1])};
    } else {
        throw ConfigError("expected a number or a pair of numbers", {}, name() + ".gamma");
    }
}

ComponentInfo RandAdjustContrastd::info() {
    return {"RandAdjustContrastd",
            "transform",
            "Randomly change contrast with a gamma curve.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of adjusting"},
             {"gamma",
              ParamType::FloatList,
              Json{0.5, 4.5},
              0,
              1e30,
              {},
              "gamma range; one value g means (0.5, g)"},
             {"invert_image", ParamType::Bool, false, 0, 1, {}, "negate before and after"},
             {"retain_stats", ParamType::Bool, false, 0, 1, {}, "keep the mean and std"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> RandAdjustContrastd::fromJson(const Json& config,
                                                         const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        return std::make_shared<RandAdjustContrastd>(
            RandAdjustContrastdOptions()
                .keys(r.stringList("keys"))
                .prob(r.number("prob"))
                .gamma(r.numberList("gamma"))
                .invert_image(r.boolean("invert_image"))
                .retain_stats(r.boolean("retain_stats"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample RandAdjustContrastd::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    const double gamma = rng.uniform(range_.first, range_.second);
    for (const auto& key :
         presentKeys(sample, options_.keys(), options_.allow_missing_keys(), name())) {
        Volume& v = sample.at(key);
        v.setData(
            adjustContrast(v.data(), gamma, options_.invert_image(), options_.retain_stats()));
    }
    return sample;
}

Json RandAdjustContrastd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"prob", options_.prob()},
            {"gamma", options_.gamma()},
            {"invert_image", options_.invert_image()},
            {"retain_stats", options_.retain_stats()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
