#include "engine/transforms/KeepLargestConnectedComponentd.h"

#include "engine/transforms/PostOps.h"
#include "engine/transforms/PostParams.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

ComponentInfo KeepLargestConnectedComponentd::info() {
    return {"KeepLargestConnectedComponentd",
            "transform",
            "Keep only the largest connected component(s) of the chosen labels.",
            {{"keys", ParamType::StringList, Json{"pred"}, 0, 0, {}, "keys to process"},
             {"applied_labels",
              ParamType::IntList,
              Json::array(),
              0,
              1e9,
              {},
              "labels (channels when one-hot) to process; [] or null = all non-zero"},
             {"is_onehot",
              ParamType::String,
              "auto",
              0,
              0,
              {"auto", "true", "false"},
              "one-hot input (true/false/null accepted; auto = more than one channel)"},
             {"independent",
              ParamType::Bool,
              true,
              0,
              1,
              {},
              "each label on its own (else the union of the labels)"},
             {"connectivity",
              ParamType::Int,
              0,
              0,
              3,
              {},
              "max orthogonal hops between neighbours (0 or null = full)"},
             {"num_components", ParamType::Int, 1, 1, 1e9, {}, "how many components to keep"}}};
}

std::shared_ptr<Transform> KeepLargestConnectedComponentd::fromJson(const Json& config,
                                                                    const std::string& context) {
    return withTransformName("KeepLargestConnectedComponentd", [&]() -> std::shared_ptr<Transform> {
        static const ComponentInfo i = info();
        ParamReader r(config, context, i.params);
        return std::make_shared<KeepLargestConnectedComponentd>(
            KeepLargestConnectedComponentdOptions()
                .keys(r.stringList("keys"))
                .applied_labels(postparams::optIntList(r, "applied_labels"))
                .is_onehot(postparams::optBool(r, "is_onehot"))
                .independent(r.boolean("independent"))
                .connectivity(postparams::optInt(r, "connectivity", 0))
                .num_components(r.integer("num_components")));
    });
}

Sample KeepLargestConnectedComponentd::apply(Sample sample, RandomGenerator&) const {
    const auto& o = options_;
    std::optional<std::vector<double>> labels;
    if (o.applied_labels())
        labels = std::vector<double>(o.applied_labels()->begin(), o.applied_labels()->end());
    const auto conn = o.connectivity() ? std::optional<int>(int(*o.connectivity())) : std::nullopt;
    for (const auto& key : o.keys()) {
        Volume& v = sample.at(key);
        v.setData(keepLargestConnectedComponent(v.data(), labels, o.is_onehot(), o.independent(),
                                                conn, o.num_components()));
    }
    return sample;
}

Json KeepLargestConnectedComponentd::toJson() const {
    const auto& o = options_;
    return {{"name", name()},
            {"keys", o.keys()},
            {"applied_labels", postparams::orNull(o.applied_labels())},
            {"is_onehot", postparams::orNull(o.is_onehot())},
            {"independent", o.independent()},
            {"connectivity", postparams::orNull(o.connectivity())},
            {"num_components", o.num_components()}};
}

} // namespace medulla
