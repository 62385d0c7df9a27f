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

std::vector<Sample> Compose::run(Sample sample, uint64_t itemKey, size_t firstPosition) const {
    std::vector<Sample> current;
    current.push_back(std::move(sample));
    const uint64_t base = mixSeed(mixSeed(seed_) ^ itemKey);
    for (size_t i = 0; i < transforms_.size(); ++i) {
        std::vector<Sample> next;
        for (size_t s = 0; s < current.size(); ++s) {
            RandomGenerator rng(
                mixSeed(base ^ mixSeed((uint64_t(i + firstPosition) << 32) | uint64_t(s))));
            auto produced = transforms_[i]->applyMany(std::move(current[s]), rng);
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
    Compose c({transforms_.begin(), transforms_.begin() + firstRandom()});
    c.seed_ = seed_;
    return c;
}

Compose Compose::randomSuffix() const {
    Compose c({transforms_.begin() + firstRandom(), transforms_.end()});
    c.seed_ = seed_;
    return c;
}

} // namespace medulla
