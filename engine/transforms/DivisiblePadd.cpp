#include "engine/transforms/DivisiblePadd.h"

#include "engine/transforms/CropPadOps.h"

namespace medulla {

ComponentInfo DivisiblePadd::info() {
    return {"DivisiblePadd",
            "transform",
            "Pad each axis up to a multiple of k.",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
             {"k",
              ParamType::IntList,
              Json(),
              -1000000,
              1000000,
              {},
              "divisor(s): one for all axes or one per axis"},
             {"method",
              ParamType::String,
              "symmetric",
              0,
              0,
              {"symmetric", "end"},
              "where the padding goes"},
             {"mode",
              ParamType::String,
              "constant",
              0,
              0,
              {"constant", "edge", "replicate", "reflect", "circular"},
              "padding mode"},
             {"value", ParamType::Float, 0.0, -1e30, 1e30, {}, "constant padding value"}}};
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
