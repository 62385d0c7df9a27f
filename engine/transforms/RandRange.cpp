#include "engine/transforms/RandRange.h"

#include <cmath>

#include "engine/core/Error.h"

namespace medulla {

RandRange RandRange::fromJson(const Json& value, const std::string& field) {
    RandRange r;
    if (value.is_null())
        return r;
    const Json list = value.is_array() ? value : Json::array({value});
    for (size_t i = 0; i < list.size(); ++i) {
        const Json& e = list[i];
        const std::string f = field + "[" + std::to_string(i) + "]";
        if (e.is_number()) {
            const double v = std::fabs(e.get<double>());
            r.ranges_.emplace_back(-v, v);
            r.symmetric_.push_back(true);
        } else if (e.is_array() && e.size() == 2 && e[0].is_number() && e[1].is_number()) {
            const double lo = e[0].get<double>(), hi = e[1].get<double>();
            if (lo > hi)
                throw ConfigError("range [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                      "] has min > max",
                                  {}, f);
            r.ranges_.emplace_back(lo, hi);
            r.symmetric_.push_back(false);
        } else {
            throw ConfigError("expected a number or a [min, max] pair, got " + e.dump(), {}, f);
        }
    }
    return r;
}

RandRange RandRange::single(const Json& value, const std::string& field) {
    if (value.is_array() && value.size() == 2 && value[0].is_number() && value[1].is_number())
        return fromJson(Json::array({value}), field);
    if (value.is_array() && value.size() == 1)
        return fromJson(value, field);
    if (value.is_array())
        throw ConfigError("expected a number r or a [min, max] pair, got " + value.dump(), {},
                          field);
    return fromJson(value, field);
}

Json RandRange::toJson() const {
    Json out = Json::array();
    for (size_t i = 0; i < ranges_.size(); ++i)
        out.push_back(symmetric_[i] ? Json(ranges_[i].second)
                                    : Json::array({ranges_[i].first, ranges_[i].second}));
    return out;
}

std::vector<double> RandRange::draw(RandomGenerator& rng, double offset) const {
    std::vector<double> out;
    for (const auto& [lo, hi] : ranges_)
        out.push_back((hi > lo ? rng.uniform(lo, hi) : lo) + offset);
    return out;
}

} // namespace medulla
