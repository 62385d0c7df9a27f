#include "engine/transforms/RemoveSmallObjectsd.h"

#include "engine/transforms/PostOps.h"
#include "engine/transforms/PostParams.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

ComponentInfo RemoveSmallObjectsd::info() {
    return {"RemoveSmallObjectsd",
            "transform",
            "Remove connected components smaller than min_size.",
            {{"keys", ParamType::StringList, Json{"pred"}, 0, 0, {}, "keys to process"},
             {"min_size",
              ParamType::Float,
              64,
              0,
              1e18,
              {},
              "smallest size kept: voxels, or volume in pixdim units when by_measure"},
             {"connectivity",
              ParamType::Int,
              1,
              1,
              4,
              {},
              "max orthogonal hops between neighbours (the channel axis counts, as in MONAI)"},
             {"independent_channels",
              ParamType::Bool,
              true,
              0,
              1,
              {},
              "labels on their own (else the size of all non-background voxels together)"},
             {"by_measure", ParamType::Bool, false, 0, 1, {}, "min_size is a physical volume"},
             {"pixdim",
              ParamType::FloatList,
              Json::array(),
              0,
              1e6,
              {},
              "voxel size for by_measure; [] or null = the volume's spacing"}}};
}

std::shared_ptr<Transform> RemoveSmallObjectsd::fromJson(const Json& config,
                                                         const std::string& context) {
    return withTransformName("RemoveSmallObjectsd", [&]() -> std::shared_ptr<Transform> {
        static const ComponentInfo i = info();
        ParamReader r(config, context, i.params);
        const std::vector<double> pixdim = r.numberList("pixdim");
        if (pixdim.size() > 3)
            throw ConfigError("needs 1 to 3 values", {}, r.field("pixdim"));
        for (double p : pixdim)
            if (!(p >= 0))
                throw ConfigError("must be >= 0", {}, r.field("pixdim"));
        return std::make_shared<RemoveSmallObjectsd>(
            RemoveSmallObjectsdOptions()
                .keys(r.stringList("keys"))
                .min_size(r.number("min_size"))
                .connectivity(r.integer("connectivity"))
                .independent_channels(r.boolean("independent_channels"))
                .by_measure(r.boolean("by_measure"))
                .pixdim(pixdim));
    });
}

Sample RemoveSmallObjectsd::apply(Sample sample, RandomGenerator&) const {
    const auto& o = options_;
    for (const auto& key : o.keys()) {
        Volume& v = sample.at(key);
        std::vector<double> pixdim = o.pixdim();
        if (o.by_measure() && pixdim.empty()) {
            const Vec3 s = v.spacing();
            for (int d = 0; d < v.spatialDims() && d < 3; ++d)
                pixdim.push_back(s[size_t(d)]);
        }
        v.setData(removeSmallObjects(v.data(), o.min_size(), int(o.connectivity()),
                                     o.independent_channels(), o.by_measure(), pixdim));
    }
    return sample;
}

Json RemoveSmallObjectsd::toJson() const {
    const auto& o = options_;
    return {{"name", name()},
            {"keys", o.keys()},
            {"min_size", o.min_size()},
            {"connectivity", o.connectivity()},
            {"independent_channels", o.independent_channels()},
            {"by_measure", o.by_measure()},
            {"pixdim", o.pixdim()}};
}

} // namespace medulla
