#include "engine/transforms/RandAffined.h"

#include "engine/transforms/KeyParams.h"

namespace medulla {

RandAffined::RandAffined(RandAffinedOptions options) : options_(std::move(options)) {
    checkGridModes(options_.mode(), options_.padding_mode(), options_.keys().size(), "RandAffined");
}

ComponentInfo RandAffined::info() {
    ComponentInfo info{
        "RandAffined",
        "transform",
        "Random affine transform (rotate, shear, translate, scale) with probability prob.",
        {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
         {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of applying"},
         {"spatial_size",
          ParamType::IntList,
          Json::array(),
          -1,
          1000000,
          {},
          "output size (empty or <= 0: the input's)"}}};
    appendGridModeSpecs(info.params, "reflection");
    for (auto& s : RandAffineRanges::specs())
        info.params.push_back(s);
    return info;
}

std::shared_ptr<Transform> RandAffined::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RandAffined>(RandAffinedOptions()
                                             .keys(r.stringList("keys"))
                                             .prob(r.number("prob"))
                                             .ranges(RandAffineRanges::read(r))
                                             .spatial_size(r.intList("spatial_size"))
                                             .mode(r.stringList("mode"))
                                             .padding_mode(r.stringList("padding_mode")));
}

Sample RandAffined::apply(Sample sample, RandomGenerator& rng) const {
    AffineParams p;
    if (rng.uniform() < options_.prob())
        p = options_.ranges().draw(rng, options_.spatial_size());
    else if (options_.spatial_size().empty())
        return sample;
    else // not applied, but the output size is fixed: identity onto that grid (as MONAI)
        p.spatialSize = options_.spatial_size();
    const auto& keys = options_.keys();
    for (size_t i = 0; i < keys.size(); ++i) {
        sample.recordSpatial(keys[i], name());
        Volume& v = sample.at(keys[i]);
        v = affineVolume(v, p,
                         gridModeFor(options_.mode(), options_.padding_mode(), false, i, name()),
                         nullptr, name());
    }
    return sample;
}

Json RandAffined::toJson() const {
    Json out = {{"name", name()},          {"keys", options_.keys()},
                {"prob", options_.prob()}, {"spatial_size", options_.spatial_size()},
                {"mode", options_.mode()}, {"padding_mode", options_.padding_mode()}};
    options_.ranges().write(out);
    return out;
}

} // namespace medulla
