#include "engine/transforms/SelectItemsd.h"

#include "engine/transforms/TransformArgs.h"

namespace medulla {

ComponentInfo SelectItemsd::info() {
    return {"SelectItemsd",
            "transform",
            "Keep only the listed items (with their metadata).",
            {{"keys", ParamType::StringList, Json(), 0, 0, {}, "keys to keep"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> SelectItemsd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        return std::make_shared<SelectItemsd>(
            SelectItemsdOptions()
                .keys(r.stringList("keys"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample SelectItemsd::apply(Sample sample, RandomGenerator&) const {
    static const std::string suffix = "_meta_dict";
    Sample out;
    for (const auto& key : options_.keys()) {
        bool found = false;
        auto copy = [&](auto& from, auto& to, const std::string& k) {
            auto it = from.find(k);
            if (it != from.end()) {
                to[k] = it->second;
                found = true;
            }
        };
        copy(sample.volumes, out.volumes, key);
        copy(sample.paths, out.paths, key);
        if (found) { // the item's metadata travels with it
            copy(sample.meta, out.meta, key);
            copy(sample.applied, out.applied, key);
        } else if (key.size() > suffix.size() &&
                   key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
            copy(sample.meta, out.meta, key.substr(0, key.size() - suffix.size()));
        }
        if (!found && !options_.allow_missing_keys())
            throw ShapeError("sample has no item named \"" + key + "\"", {}, name() + ".keys");
    }
    return out;
}

Json SelectItemsd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
