#pragma once
/// MONAI's random parameter ranges (RandAffine's rotate_range etc.): one
/// entry per parameter, either r (uniform in [-r, r)) or [lo, hi]. JSON:
/// a number, or a list of numbers and/or [lo, hi] pairs.

#include <string>
#include <utility>
#include <vector>

#include "engine/core/Params.h"
#include "engine/core/Random.h"

namespace medulla {

class RandRange {
public:
    RandRange() = default;
    /// Throws ConfigError naming `field` for anything else, or lo > hi.
    static RandRange fromJson(const Json& value, const std::string& field);
    /// One range: a number r or a [min, max] list (RandRotated's range_x).
    static RandRange single(const Json& value, const std::string& field);
    Json toJson() const;

    bool empty() const { return ranges_.empty(); }
    size_t size() const { return ranges_.size(); }
    /// One uniform draw per entry, in order, plus `offset` (1 for scales).
    std::vector<double> draw(RandomGenerator& rng, double offset = 0.0) const;

private:
    std::vector<std::pair<double, double>> ranges_;
    std::vector<bool> symmetric_; ///< written as a single number
};

} // namespace medulla
