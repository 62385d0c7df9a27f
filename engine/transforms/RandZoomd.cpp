#include "engine/transforms/RandZoomd.h"

#include "engine/transforms/KeyParams.h"

namespace medulla {

RandZoomd::RandZoomd(RandZoomdOptions options) : options_(std::move(options)) {
    const auto &lo = options_.min_zoom(), &hi = options_.max_zoom();
    if (lo.empty() || lo.size() != hi.size())
        throw ConfigError("min_zoom and max_zoom need the same number of values", {},
                          "RandZoomd.max_zoom");
    for (size_t i = 0; i < lo.size(); ++i)
        if (!(lo[i] > 0) || lo[i] > hi[i])
            throw ConfigError("need 0 < min_zoom <= max_zoom", {}, "RandZoomd.min_zoom");
    (void)Zoomd(options_.zoom()); // validates keys, modes and padding
}

ComponentInfo RandZoomd::info() {
    ComponentInfo info = Zoomd::info();
    info.name = "RandZoomd";
    info.help = "Random zoom with probability prob, keeping the field of view.";
    info.params.erase(info.params.begin() + 1); // no fixed zoom
    info.params.push_back({"min_zoom",
                           ParamType::FloatList,
                           Json{0.9},
                           1e-6,
                           1e6,
                           {},
                           "lowest factor (one: isotropic, or one per axis)"});
    info.params.push_back({"max_zoom",
                           ParamType::FloatList,
                           Json{1.1},
                           1e-6,
                           1e6,
                           {},
                           "highest factor (one: isotropic, or one per axis)"});
    info.params.push_back({"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of applying"});
    return info;
}

std::shared_ptr<Transform> RandZoomd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RandZoomd>(RandZoomdOptions()
                                           .zoom(ZoomdOptions()
                                                     .keys(r.stringList("keys"))
                                                     .mode(r.stringList("mode"))
                                                     .padding_mode(r.stringList("padding_mode"))
                                                     .align_corners(r.string("align_corners"))
                                                     .keep_size(r.boolean("keep_size")))
                                           .min_zoom(r.numberList("min_zoom"))
                                           .max_zoom(r.numberList("max_zoom"))
                                           .prob(r.number("prob")));
}

Sample RandZoomd::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    std::vector<double> factors;
    for (size_t i = 0; i < options_.min_zoom().size(); ++i)
        factors.push_back(rng.uniform(options_.min_zoom()[i], options_.max_zoom()[i]));
    return Zoomd::zoomKeys(std::move(sample), options_.zoom(), factors, name());
}

Json RandZoomd::toJson() const {
    const ZoomdOptions& z = options_.zoom();
    return {{"name", name()},
            {"keys", z.keys()},
            {"mode", z.mode()},
            {"padding_mode", z.padding_mode()},
            {"align_corners", z.align_corners()},
            {"keep_size", z.keep_size()},
            {"min_zoom", options_.min_zoom()},
            {"max_zoom", options_.max_zoom()},
            {"prob", options_.prob()}};
}

} // namespace medulla
