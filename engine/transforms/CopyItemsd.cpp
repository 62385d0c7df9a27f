#include "engine/transforms/CopyItemsd.h"

#include "engine/transforms/TransformArgs.h"

namespace medulla {

CopyItemsd::CopyItemsd(CopyItemsdOptions options) : options_(std::move(options)) {
    if (options_.times() < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(options_.times()), {},
                          name() + ".times");
    const auto& keys = options_.keys();
    names_ = options_.names();
    if (names_.empty())
        for (const auto& k : keys)
            for (int64_t i = 0; i < options_.times(); ++i)
                names_.push_back(k + "_" + std::to_string(i));
    if (names_.size() != keys.size() * size_t(options_.times()))
        throw ConfigError("len(names) must be len(keys) * times = " +
                              std::to_string(keys.size() * size_t(options_.times())) + ", got " +
                              std::to_string(names_.size()),
                          {}, name() + ".names");
}

ComponentInfo CopyItemsd::info() {
    return {"CopyItemsd",
            "transform",
            "Copy items (with their metadata) under new keys.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to copy"},
             {"times", ParamType::Int, 1, 1, 1e6, {}, "copies of each key"},
             {"names",
              ParamType::StringList,
              Json::array(),
              0,
              0,
              {},
              "new keys, len(keys) * times (empty: <key>_<i>)"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> CopyItemsd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        const bool noNames = r.has("names") && r.raw("names").is_null();
        return std::make_shared<CopyItemsd>(
            CopyItemsdOptions()
                .keys(r.stringList("keys"))
                .times(r.integer("times"))
                .names(noNames ? std::vector<std::string>{} : r.stringList("names"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample CopyItemsd::apply(Sample sample, RandomGenerator&) const {
    const auto& keys = options_.keys();
    auto exists = [&](const std::string& k) {
        return sample.volumes.count(k) > 0 || sample.paths.count(k) > 0;
    };
    for (int64_t i = 0; i < options_.times(); ++i) {
        for (size_t j = 0; j < keys.size(); ++j) {
            const std::string& key = keys[j];
            const std::string& newKey = names_[size_t(i) * keys.size() + j];
            if (!exists(key)) {
                if (options_.allow_missing_keys())
                    continue;
                throw ShapeError("sample has no item named \"" + key + "\"", {}, name() + ".keys");
            }
            if (exists(newKey))
                throw ConfigError("key \"" + newKey + "\" already exists in the sample", {},
                                  name() + ".names");
            auto v = sample.volumes.find(key);
            if (v != sample.volumes.end())
                sample.volumes[newKey] = Volume(v->second.data().clone(), v->second.affine());
            auto p = sample.paths.find(key);
            if (p != sample.paths.end())
                sample.paths[newKey] = p->second;
            auto m = sample.meta.find(key);
            if (m != sample.meta.end())
                sample.meta[newKey] = m->second;
            auto a = sample.applied.find(key);
            if (a != sample.applied.end())
                sample.applied[newKey] = a->second;
        }
    }
    return sample;
}

Json CopyItemsd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"times", options_.times()},
            {"names", options_.names()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
