#include "engine/transforms/CastToTyped.h"

#include "engine/transforms/TransformArgs.h"

namespace medulla {

CastToTyped::CastToTyped(CastToTypedOptions options) : options_(std::move(options)) {
    const auto names =
        repeatPerKey(options_.dtype(), options_.keys().size(), "float32", name() + ".dtype");
    for (const auto& n : names)
        dtypes_.push_back(parseDtypeName(n, name() + ".dtype"));
}

ComponentInfo CastToTyped::info() {
    return {"CastToTyped",
            "transform",
            "Convert voxels to another data type.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"dtype", ParamType::StringList, "float32", 0, 0, {}, "data type, or one per key"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> CastToTyped::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        return std::make_shared<CastToTyped>(
            CastToTypedOptions()
                .keys(r.stringList("keys"))
                .dtype(r.stringList("dtype"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample CastToTyped::apply(Sample sample, RandomGenerator&) const {
    for (size_t i = 0; i < options_.keys().size(); ++i) {
        const std::string& key = options_.keys()[i];
        if (!sample.has(key) && options_.allow_missing_keys())
            continue;
        Volume& v = sample.at(key);
        if (dtypes_[i])
            v.setData(v.data().to(*dtypes_[i]));
    }
    return sample;
}

Json CastToTyped::toJson() const {
    const auto& d = options_.dtype();
    return {{"name", name()},
            {"keys", options_.keys()},
            {"dtype", d.size() == 1 ? Json(d[0]) : Json(d)},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
