#include "engine/transforms/FillHolesd.h"

#include "engine/transforms/PostOps.h"
#include "engine/transforms/PostParams.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

ComponentInfo FillHolesd::info() {
    return {"FillHolesd",
            "transform",
            "Fill the background cavities that a label encloses with that label.",
            {{"keys", ParamType::StringList, Json{"pred"}, 0, 0, {}, "keys to process"},
             {"applied_labels",
              ParamType::IntList,
              Json::array(),
              0,
              1e9,
              {},
              "labels (channels when one-hot) to fill; [] or null = all non-zero"},
             {"connectivity",
              ParamType::Int,
              0,
              0,
              3,
              {},
              "connectivity of the background flood fill (0 or null = full)"}}};
}

std::shared_ptr<Transform> FillHolesd::fromJson(const Json& config, const std::string& context) {
    return withTransformName("FillHolesd", [&]() -> std::shared_ptr<Transform> {
        static const ComponentInfo i = info();
        ParamReader r(config, context, i.params);
        return std::make_shared<FillHolesd>(
            FillHolesdOptions()
                .keys(r.stringList("keys"))
                .applied_labels(postparams::optIntList(r, "applied_labels"))
                .connectivity(postparams::optInt(r, "connectivity", 0)));
    });
}

Sample FillHolesd::apply(Sample sample, RandomGenerator&) const {
    std::optional<std::vector<double>> labels;
    if (options_.applied_labels())
        labels = std::vector<double>(options_.applied_labels()->begin(),
                                     options_.applied_labels()->end());
    const auto conn =
        options_.connectivity() ? std::optional<int>(int(*options_.connectivity())) : std::nullopt;
    for (const auto& key : options_.keys()) {
        Volume& v = sample.at(key);
        v.setData(fillHoles(v.data(), labels, conn));
    }
    return sample;
}

Json FillHolesd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"applied_labels", postparams::orNull(options_.applied_labels())},
            {"connectivity", postparams::orNull(options_.connectivity())}};
}

} // namespace medulla
