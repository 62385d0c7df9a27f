#include "engine/transforms/EnsureChannelFirstd.h"

#include <torch/torch.h>

namespace medulla {

ComponentInfo EnsureChannelFirstd::info() {
    return {"EnsureChannelFirstd",
            "transform",
            "Make every volume channel-first (C, *spatial).",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
             {"spatial_dims", ParamType::Int, 3, 2, 3, {}, "number of spatial axes"}}};
}

std::shared_ptr<Transform> EnsureChannelFirstd::fromJson(const Json& config,
                                                         const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<EnsureChannelFirstd>(EnsureChannelFirstdOptions()
                                                     .keys(r.stringList("keys"))
                                                     .spatial_dims(r.integer("spatial_dims")));
}

Sample EnsureChannelFirstd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        Volume& v = sample.at(key);
        const int64_t rank = v.data().dim();
        if (rank == options_.spatial_dims() + 1)
            continue;
        throw ShapeError("\"" + key + "\" has rank " + std::to_string(rank) + ", expected " +
                             std::to_string(options_.spatial_dims() + 1) + " (C + " +
                             std::to_string(options_.spatial_dims()) + " spatial axes)",
                         {}, "EnsureChannelFirstd");
    }
    return sample;
}

Json EnsureChannelFirstd::toJson() const {
    return {{"name", name()}, {"keys", options_.keys()}, {"spatial_dims", options_.spatial_dims()}};
}

} // namespace medulla
