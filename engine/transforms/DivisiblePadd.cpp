#include "engine/transforms/DivisiblePadd.h"

#include "engine/transforms/CropPadOps.h"

namespace medulla {

ComponentInfo DivisiblePadd::info() {
    ComponentInfo info{
        "DivisiblePadd",
        "transform",
        "Pad each axis up to a multiple of k.",
        {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
         {"k",
          ParamType::IntList,
          Json(),
          -1000000,
          1000000,
          {},
          "divisor(s): one for all axes or one per axis"}}};
    const auto pad = padParamSpecs();
    info.params.insert(info.params.end(), pad.begin(), pad.end());
    return info;
}

std::shared_ptr<Transform> DivisiblePadd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    auto options = DivisiblePaddOptions()
                       .keys(r.stringList("keys"))
                       .k(r.intList("k"))
                       .method(r.string("method"))
                       .mode(r.string("mode"))
                       .value(r.number("value"));
    return std::make_shared<DivisiblePadd>(options);
}

Sample DivisiblePadd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        sample.recordSpatial(key, name());
        Volume& v = sample.at(key);
        v = divisiblePadVolume(v, options_.k(), options_.method(), options_.mode(),
                               options_.value(), "DivisiblePadd");
    }
    return sample;
}

Json DivisiblePadd::toJson() const {
    return {{"name", name()},          {"keys", options_.keys()},
            {"k", options_.k()},       {"method", options_.method()},
            {"mode", options_.mode()}, {"value", options_.value()}};
}

} // namespace medulla
