#include "engine/transforms/RandomOrder.h"

#include <utility>

#include "engine/core/Error.h"
#include "engine/transforms/Compose.h"

namespace medulla {

RandomOrder::RandomOrder(std::vector<TransformPtr> transforms)
    : transforms_(std::move(transforms)) {}

ComponentInfo RandomOrder::info() {
    return {"RandomOrder",
            "transform",
            "Apply all the transforms in a random order.",
            {{"transforms", ParamType::Object, Json(), 0, 0, {}, "list of transforms"}}};
}

std::shared_ptr<Transform> RandomOrder::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RandomOrder>(
        Compose::fromJson(r.raw("transforms"), r.field("transforms")).transforms());
}

std::vector<Sample> RandomOrder::applyMany(Sample sample, RandomGenerator& rng) const {
    std::vector<TransformPtr> order = transforms_;
    for (size_t i = order.size(); i > 1; --i) // Fisher-Yates
        std::swap(order[i - 1], order[size_t(rng.integer(0, int64_t(i)))]);
    return Compose(order)(std::move(sample), rng);
}

Sample RandomOrder::apply(Sample sample, RandomGenerator& rng) const {
    std::vector<Sample> out = applyMany(std::move(sample), rng);
    if (out.size() != 1)
        throw ShapeError("a transform returned " + std::to_string(out.size()) +
                             " samples; use RandomOrder inside a Compose",
                         {}, "RandomOrder");
    return std::move(out.front());
}

Json RandomOrder::toJson() const {
    return {{"name", name()}, {"transforms", Compose(transforms_).toJson()}};
}

} // namespace medulla
