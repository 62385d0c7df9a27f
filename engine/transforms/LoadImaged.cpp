#include "engine/transforms/LoadImaged.h"

#include "engine/io/ImageLoader.h"

namespace medulla {

ComponentInfo LoadImaged::info() {
    return {"LoadImaged",
            "transform",
            "Load image files (NIfTI) named by the sample's paths.",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to load"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> LoadImaged::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<LoadImaged>(LoadImagedOptions()
                                            .keys(r.stringList("keys"))
                                            .allow_missing_keys(r.boolean("allow_missing_keys")));
}

Sample LoadImaged::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        auto it = sample.paths.find(key);
        if (it == sample.paths.end()) {
            if (options_.allow_missing_keys())
                continue;
            throw ShapeError("sample has no path for key \"" + key + "\"", {}, "LoadImaged.keys");
        }
        sample.volumes[key] = loadImage(it->second);
    }
    return sample;
}

Json LoadImaged::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
