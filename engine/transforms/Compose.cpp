#include "engine/transforms/Compose.h"

namespace medulla {

Compose Compose::fromJson(const Json& list, const std::string& context) {
    if (!list.is_array())
        throw ConfigError("expected a list of transforms", {}, context);
    std::vector<TransformPtr> ts;
    for (size_t i = 0; i < list.size(); ++i)
        ts.push_back(transformRegistry().create(list[i], context + "[" + std::to_string(i) + "]"));
    return Compose(std::move(ts));
}

Json Compose::toJson() const {
    Json out = Json::array();
    for (const auto& t : transforms_)
        out.push_back(t->toJson());
    return out;
}

std::vector<Sample> Compose::operator()(Sample sample, RandomGenerator& rng) const {
    std::vector<Sample> current;
    current.push_back(std::move(sample));
    for (const auto& t : transforms_) {
        std::vector<Sample> next;
        for (auto& s : current) {
            auto produced = t->applyMany(std::move(s), rng);
            for (auto& p : produced)
                next.push_back(std::move(p));
        }
        current = std::move(next);
    }
    return current;
}

size_t Compose::firstRandom() const {
    for (size_t i = 0; i < transforms_.size(); ++i)
        if (transforms_[i]->isRandom())
            return i;
    return transforms_.size();
}

Compose Compose::deterministicPrefix() const {
    return Compose({transforms_.begin(), transforms_.begin() + firstRandom()});
}

Compose Compose::randomSuffix() const {
    return Compose({transforms_.begin() + firstRandom(), transforms_.end()});
}

} // namespace medulla
