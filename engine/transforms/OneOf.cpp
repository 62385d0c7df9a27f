#include "engine/transforms/OneOf.h"

#include "engine/core/Error.h"
#include "engine/transforms/Compose.h"

namespace medulla {

OneOf::OneOf(std::vector<TransformPtr> transforms, std::vector<double> weights)
    : transforms_(std::move(transforms)), weights_(std::move(weights)) {
    if (transforms_.empty())
        throw ConfigError("needs at least one transform", {}, "OneOf.transforms");
    if (weights_.empty())
        weights_.assign(transforms_.size(), 1.0);
    if (weights_.size() != transforms_.size())
        throw ConfigError("needs one weight per transform", {}, "OneOf.weights");
    double total = 0;
    for (double w : weights_) {
        if (!(w >= 0))
            throw ConfigError("weights must be non-negative", {}, "OneOf.weights");
        total += w;
    }
    if (!(total > 0))
        throw ConfigError("weights must not all be 0", {}, "OneOf.weights");
}

ComponentInfo OneOf::info() {
    return {"OneOf",
            "transform",
            "Apply one of the transforms, chosen at random by weight.",
            {{"transforms", ParamType::Object, Json(), 0, 0, {}, "list of transforms"},
             {"weights",
              ParamType::FloatList,
              Json::array(),
              0,
              1e12,
              {},
              "one weight per transform (empty: equal)"}}};
}

std::shared_ptr<Transform> OneOf::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    Compose list = Compose::fromJson(r.raw("transforms"), r.field("transforms"));
    return std::make_shared<OneOf>(list.transforms(), r.numberList("weights"));
}

std::vector<Sample> OneOf::applyMany(Sample sample, RandomGenerator& rng) const {
    double total = 0;
    for (double w : weights_)
        total += w;
    double pick = rng.uniform(0.0, total);
    size_t chosen = 0;
    while (chosen + 1 < transforms_.size() && pick >= weights_[chosen]) {
        pick -= weights_[chosen];
        ++chosen;
    }
    return transforms_[chosen]->applyMany(std::move(sample), rng);
}

Sample OneOf::apply(Sample sample, RandomGenerator& rng) const {
    std::vector<Sample> out = applyMany(std::move(sample), rng);
    if (out.size() != 1)
        throw ShapeError("the chosen transform returned " + std::to_string(out.size()) +
                             " samples; use OneOf inside a Compose",
                         {}, "OneOf");
    return std::move(out.front());
}

Json OneOf::toJson() const {
    return {{"name", name()}, {"transforms", Compose(transforms_).toJson()}, {"weights", weights_}};
}

} // namespace medulla
