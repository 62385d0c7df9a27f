#include "engine/transforms/VoteEnsembled.h"

#include "engine/transforms/EnsembleOps.h"
#include "engine/transforms/PostParams.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

VoteEnsembled::VoteEnsembled(VoteEnsembledOptions options)
    : Ensembled("VoteEnsembled", options.keys(), options.output_key()),
      options_(std::move(options)) {
    if (options_.num_classes() && *options_.num_classes() < 1)
        throw ConfigError("must be >= 1 (or none for one-hot inputs)", {},
                          "VoteEnsembled.num_classes");
}

ComponentInfo VoteEnsembled::info() {
    return {"VoteEnsembled",
            "transform",
            "Majority vote of several models' discrete predictions (one-hot, or label maps with "
            "num_classes).",
            {{"keys", ParamType::StringList, Json(), 0, 0, {}, "the models' prediction keys"},
             {"output_key",
              ParamType::String,
              "",
              0,
              0,
              {},
              "key of the result (\"\" or null = the only key)"},
             {"num_classes",
              ParamType::Int,
              0,
              0,
              1e6,
              {},
              "classes of label-map inputs (0 or null = one-hot inputs)"}}};
}

std::shared_ptr<Transform> VoteEnsembled::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&]() -> std::shared_ptr<Transform> {
        ParamReader r(config, context, i.params);
        const bool nullKey = postparams::isNull(r, "output_key");
        return std::make_shared<VoteEnsembled>(
            VoteEnsembledOptions()
                .keys(r.stringList("keys"))
                .output_key(nullKey ? std::string() : r.string("output_key"))
                .num_classes(postparams::optInt(r, "num_classes", 0)));
    });
}

Json VoteEnsembled::toJson() const {
    Json j = keysJson();
    j["num_classes"] = postparams::orNull(options_.num_classes());
    return j;
}

at::Tensor VoteEnsembled::ensemble(const at::Tensor& stacked) const {
    return voteEnsemble(stacked, options_.num_classes());
}

} // namespace medulla
