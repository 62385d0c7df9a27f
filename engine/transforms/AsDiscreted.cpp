#include "engine/transforms/AsDiscreted.h"

#include "engine/transforms/PostOps.h"
#include "engine/transforms/PostParams.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

ComponentInfo AsDiscreted::info() {
    return {"AsDiscreted",
            "transform",
            "Argmax, one-hot, threshold and/or rounding, in that order (float32 output).",
            {{"keys", ParamType::StringList, Json{"pred"}, 0, 0, {}, "keys to process"},
             {"argmax", ParamType::Bool, false, 0, 1, {}, "argmax over channels (keepdim)"},
             {"to_onehot",
              ParamType::Int,
              0,
              0,
              1e6,
              {},
              "number of classes for one-hot (0 or null = no one-hot)"},
             {"threshold",
              ParamType::FloatList,
              Json::array(),
              -1e30,
              1e30,
              {},
              "x >= threshold gives 1 (one number; [] or null = none)"},
             {"rounding",
              ParamType::String,
              "",
              0,
              0,
              {"", "torchrounding"},
              "round half to even (\"\" or null = none)"}}};
}

std::shared_ptr<Transform> AsDiscreted::fromJson(const Json& config, const std::string& context) {
    return withTransformName("AsDiscreted", [&]() -> std::shared_ptr<Transform> {
        static const ComponentInfo i = info();
        ParamReader r(config, context, i.params);
        if (r.has("to_onehot") && r.raw("to_onehot").is_boolean())
            throw ConfigError("to_onehot=true/false is deprecated, give the number of classes", {},
                              r.field("to_onehot"));
        const std::vector<double> threshold = r.numberList("threshold");
        if (threshold.size() > 1)
            throw ConfigError("needs one number, got " + std::to_string(threshold.size()), {},
                              r.field("threshold"));
        return std::make_shared<AsDiscreted>(
            AsDiscretedOptions()
                .keys(r.stringList("keys"))
                .argmax(r.boolean("argmax"))
                .to_onehot(postparams::optInt(r, "to_onehot", 0))
                .threshold(threshold.empty() ? std::nullopt : std::optional<double>(threshold[0]))
                .rounding(postparams::isNull(r, "rounding") ? std::string()
                                                            : r.string("rounding")));
    });
}

Sample AsDiscreted::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        Volume& v = sample.at(key);
        v.setData(asDiscrete(v.data(), options_.argmax(), options_.to_onehot(),
                             options_.threshold(), options_.rounding()));
    }
    return sample;
}

Json AsDiscreted::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"argmax", options_.argmax()},
            {"to_onehot", postparams::orNull(options_.to_onehot())},
            {"threshold", postparams::orNull(options_.threshold())},
            {"rounding", options_.rounding().empty() ? Json(nullptr) : Json(options_.rounding())}};
}

} // namespace medulla
