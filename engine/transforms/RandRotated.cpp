#include "engine/transforms/RandRotated.h"

#include "engine/transforms/KeyParams.h"

namespace medulla {

RandRotated::RandRotated(RandRotatedOptions options) : options_(std::move(options)) {
    const RotatedOptions& r = options_.rotate();
    checkGridModes(r.mode(), r.padding_mode(), r.keys().size(), "RandRotated");
    for (const RandRange* range : {&options_.range_x(), &options_.range_y(), &options_.range_z()})
        if (range->size() > 1)
            throw ConfigError("each range is one number r or one [min, max] pair", {},
                              "RandRotated.range_x");
}

ComponentInfo RandRotated::info() {
    ComponentInfo info = Rotated::info();
    info.name = "RandRotated";
    info.help = "Random rotation about the image centre with probability prob.";
    info.params.erase(info.params.begin() + 1); // no fixed angle
    for (const char* axis : {"range_x", "range_y", "range_z"})
        info.params.push_back(
            {axis, ParamType::Object, 0.0, 0, 0, {}, "radians: r for [-r, r) or [min, max]"});
    info.params.push_back({"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of applying"});
    return info;
}

std::shared_ptr<Transform> RandRotated::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RandRotated>(
        RandRotatedOptions()
            .rotate(RotatedOptions()
                        .keys(r.stringList("keys"))
                        .keep_size(r.boolean("keep_size"))
                        .mode(r.stringList("mode"))
                        .padding_mode(r.stringList("padding_mode"))
                        .align_corners(r.boolean("align_corners")))
            .range_x(RandRange::single(r.raw("range_x"), r.field("range_x")))
            .range_y(RandRange::single(r.raw("range_y"), r.field("range_y")))
            .range_z(RandRange::single(r.raw("range_z"), r.field("range_z")))
            .prob(r.number("prob")));
}

Sample RandRotated::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    std::vector<double> angle;
    for (const RandRange* range : {&options_.range_x(), &options_.range_y(), &options_.range_z()})
        angle.push_back(range->empty() ? 0.0 : range->draw(rng)[0]);
    return Rotated::rotateKeys(std::move(sample), options_.rotate(), angle, name());
}

namespace {

/// A one-entry range as RandRange::single reads it back.
Json single(const RandRange& r) {
    const Json j = r.toJson();
    return j.empty() ? Json(0.0) : j[0];
}

} // namespace

Json RandRotated::toJson() const {
    const RotatedOptions& r = options_.rotate();
    return {{"name", name()},
            {"keys", r.keys()},
            {"keep_size", r.keep_size()},
            {"mode", r.mode()},
            {"padding_mode", r.padding_mode()},
            {"align_corners", r.align_corners()},
            {"range_x", single(options_.range_x())},
            {"range_y", single(options_.range_y())},
            {"range_z", single(options_.range_z())},
            {"prob", options_.prob()}};
}

} // namespace medulla
