#include "engine/transforms/RandHistogramShiftd.h"

#include "engine/transforms/RandIntensityOps.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

RandHistogramShiftd::RandHistogramShiftd(RandHistogramShiftdOptions options)
    : options_(std::move(options)) {
    if (!(options_.prob() >= 0.0 && options_.prob() <= 1.0))
        throw ConfigError("must be in [0, 1]", {}, name() + ".prob");
    const auto& n = options_.num_control_points();
    if (n.size() != 1 && n.size() != 2)
        throw ConfigError("expected a number or a pair of numbers", {},
                          name() + ".num_control_points");
    range_ = {*std::min_element(n.begin(), n.end()), *std::max_element(n.begin(), n.end())};
    if (range_.first < 3)
        throw ConfigError("must be >= 3", {}, name() + ".num_control_points");
}

ComponentInfo RandHistogramShiftd::info() {
    return {"RandHistogramShiftd",
            "transform",
            "Randomly remap intensities with a monotonic piecewise-linear curve.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"num_control_points",
              ParamType::IntList,
              10,
              3,
              1e6,
              {},
              "control points (or a (min, max) range)"},
             {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of shifting"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> RandHistogramShiftd::fromJson(const Json& config,
                                                         const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        return std::make_shared<RandHistogramShiftd>(
            RandHistogramShiftdOptions()
                .keys(r.stringList("keys"))
                .num_control_points(r.intList("num_control_points"))
                .prob(r.number("prob"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample RandHistogramShiftd::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    const int64_t n = rng.integer(range_.first, range_.second + 1);
    std::vector<double> reference(size_t(n), 0.0);
    for (int64_t i = 0; i < n; ++i)
        reference[size_t(i)] = double(i) / double(n - 1);
    std::vector<double> floating = reference;
    for (size_t i = 1; i + 1 < size_t(n); ++i)
        floating[i] = rng.uniform(floating[i - 1], floating[i + 1]);
    for (const auto& key :
         presentKeys(sample, options_.keys(), options_.allow_missing_keys(), name())) {
        Volume& v = sample.at(key);
        v.setData(histogramShift(v.data(), reference, floating));
    }
    return sample;
}

Json RandHistogramShiftd::toJson() const {
    const auto& n = options_.num_control_points();
    return {{"name", name()},
            {"keys", options_.keys()},
            {"num_control_points", n.size() == 1 ? Json(n[0]) : Json(n)},
            {"prob", options_.prob()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
