#include "engine/transforms/Invertd.h"

#include "engine/transforms/KeyParams.h"
#include "engine/transforms/ResampleOps.h"

namespace medulla {

Invertd::Invertd(InvertdOptions options) : options_(std::move(options)) {
    checkPerKey(options_.orig_keys(), options_.keys().size(), "Invertd.orig_keys");
    checkPerKey(options_.nearest_interp(), options_.keys().size(), "Invertd.nearest_interp");
}

ComponentInfo Invertd::info() {
    return {"Invertd",
            "transform",
            "Map volumes back onto the original grid of orig_keys (undo spatial transforms).",
            {{"keys", ParamType::StringList, Json{"pred"}, 0, 0, {}, "volumes to invert"},
             {"orig_keys",
              ParamType::StringList,
              Json{"image"},
              0,
              0,
              {},
              "whose transform history to undo: one, or one per key"},
             {"nearest_interp",
              ParamType::Object,
              Json{true},
              0,
              0,
              {},
              "nearest-neighbour resampling (labels); one bool, or one per key"}}};
}

std::shared_ptr<Transform> Invertd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    const Json& n = r.raw("nearest_interp");
    std::vector<bool> nearest;
    for (const Json& e : n.is_array() ? n : Json::array({n})) {
        if (!e.is_boolean())
            throw ConfigError("expected true/false or a list of them", {},
                              r.field("nearest_interp"));
        nearest.push_back(e.get<bool>());
    }
    return std::make_shared<Invertd>(InvertdOptions()
                                         .keys(r.stringList("keys"))
                                         .orig_keys(r.stringList("orig_keys"))
                                         .nearest_interp(nearest));
}

Sample Invertd::apply(Sample sample, RandomGenerator&) const {
    const auto& keys = options_.keys();
    for (size_t i = 0; i < keys.size(); ++i) {
        const std::string& orig = perKey(options_.orig_keys(), i);
        auto it = sample.applied.find(orig);
        if (it == sample.applied.end() || it->second.empty())
            continue; // nothing was applied: already on the original grid
        for (const auto& record : it->second)
            if (record.name == "Rand2DElasticd" || record.name == "Rand3DElasticd")
                throw ShapeError(record.name + " is not invertible", {}, "Invertd.orig_keys");
        const Volume& reference = sample.at(orig);
        Volume& v = sample.at(keys[i]);
        if (v.spatialShape() != reference.spatialShape())
            throw ShapeError("\"" + keys[i] + "\" is not on the grid of \"" + orig + "\"", {},
                             "Invertd.keys");
        v.setAffine(reference.affine());
        const AppliedTransform& first = it->second.front();
        const GridMode mode{perKey(options_.nearest_interp(), i) ? kernels::Interp::Nearest
                                                                 : kernels::Interp::Linear,
                            kernels::Padding::Zeros, false};
        v = resampleToGrid(v, first.shape, first.affine, mode);
        sample.applied.erase(keys[i]);
    }
    return sample;
}

Json Invertd::toJson() const {
    Json nearest = Json::array();
    for (bool b : options_.nearest_interp())
        nearest.push_back(b);
    return {{"name", name()},
            {"keys", options_.keys()},
            {"orig_keys", options_.orig_keys()},
            {"nearest_interp", nearest}};
}

} // namespace medulla
