#include "engine/transforms/ConcatItemsd.h"

#include <torch/torch.h>

#include "engine/transforms/TransformArgs.h"

namespace medulla {

ConcatItemsd::ConcatItemsd(ConcatItemsdOptions options) : options_(std::move(options)) {
    if (options_.output_name().empty())
        throw ConfigError("the key of the result must not be empty", {}, name() + ".output_name");
}

ComponentInfo ConcatItemsd::info() {
    return {
        "ConcatItemsd",
        "transform",
        "Concatenate volumes (e.g. modalities as channels) into a new item.",
        {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to concatenate"},
         {"output_name", ParamType::String, Json(), 0, 0, {}, "key of the result (MONAI's `name`)"},
         {"dim", ParamType::Int, 0, -5, 4, {}, "tensor dimension (0 = channels)"},
         {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> ConcatItemsd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        return std::make_shared<ConcatItemsd>(
            ConcatItemsdOptions()
                .keys(r.stringList("keys"))
                .output_name(r.string("output_name"))
                .dim(r.integer("dim"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample ConcatItemsd::apply(Sample sample, RandomGenerator&) const {
    const auto keys = presentKeys(sample, options_.keys(), options_.allow_missing_keys(), name());
    if (keys.empty())
        return sample;
    std::vector<at::Tensor> parts;
    for (const auto& k : keys)
        parts.push_back(sample.at(k).data());
    at::Tensor joined;
    try {
        joined = torch::cat(parts, options_.dim());
    } catch (const c10::Error& e) {
        std::string shapes;
        for (size_t i = 0; i < keys.size(); ++i)
            shapes += (i ? ", " : "") + keys[i] + " " + c10::str(parts[i].sizes());
        throw ShapeError("cannot concatenate along dim " + std::to_string(options_.dim()) + ": " +
                             shapes,
                         {}, name() + ".keys");
    }
    const std::string& first = keys.front();
    const std::string& out = options_.output_name();
    Volume result(joined, sample.at(first).affine());
    auto m = sample.meta.find(first);
    auto a = sample.applied.find(first);
    if (m != sample.meta.end())
        sample.meta[out] = m->second;
    else
        sample.meta.erase(out);
    if (a != sample.applied.end())
        sample.applied[out] = a->second;
    else
        sample.applied.erase(out);
    sample.volumes[out] = std::move(result);
    return sample;
}

Json ConcatItemsd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"output_name", options_.output_name()},
            {"dim", options_.dim()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
