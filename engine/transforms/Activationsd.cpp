#include "engine/transforms/Activationsd.h"

#include "engine/transforms/PostOps.h"
#include "engine/transforms/PostParams.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

ComponentInfo Activationsd::info() {
    return {"Activationsd",
            "transform",
            "Sigmoid or softmax (over channels), then an optional other activation.",
            {{"keys", ParamType::StringList, Json{"pred"}, 0, 0, {}, "keys to process"},
             {"sigmoid", ParamType::Bool, false, 0, 1, {}, "apply a sigmoid"},
             {"softmax", ParamType::Bool, false, 0, 1, {}, "apply a softmax over channels"},
             {"other", ParamType::String, "", 0, 0, activationChoices(),
              "another activation applied last (\"\" or null = none)"}}};
}

std::shared_ptr<Transform> Activationsd::fromJson(const Json& config, const std::string& context) {
    return withTransformName("Activationsd", [&]() -> std::shared_ptr<Transform> {
        static const ComponentInfo i = info();
        ParamReader r(config, context, i.params);
        auto o = ActivationsdOptions()
                     .keys(r.stringList("keys"))
                     .sigmoid(r.boolean("sigmoid"))
                     .softmax(r.boolean("softmax"))
                     .other(postparams::isNull(r, "other") ? std::string() : r.string("other"));
        if (o.sigmoid() && o.softmax())
            throw ConfigError("sigmoid and softmax cannot both be true", {}, r.field("softmax"));
        return std::make_shared<Activationsd>(o);
    });
}

Sample Activationsd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        Volume& v = sample.at(key);
        v.setData(activations(v.data(), options_.sigmoid(), options_.softmax(), options_.other()));
    }
    return sample;
}

Json Activationsd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"sigmoid", options_.sigmoid()},
            {"softmax", options_.softmax()},
            {"other", options_.other()}};
}

} // namespace medulla
