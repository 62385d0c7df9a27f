#include "engine/transforms/LabelToContourd.h"

#include "engine/transforms/FilterOps.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

ComponentInfo LabelToContourd::info() {
    return {"LabelToContourd",
            "transform",
            "Contour of a binary mask by a Laplace kernel (1 on edges, 0 elsewhere).",
            {{"keys", ParamType::StringList, Json{"label"}, 0, 0, {}, "keys to process"},
             {"kernel_type",
              ParamType::String,
              "Laplace",
              0,
              0,
              {"Laplace"},
              "edge detection kernel"}}};
}

std::shared_ptr<Transform> LabelToContourd::fromJson(const Json& config,
                                                     const std::string& context) {
    return withTransformName("LabelToContourd", [&]() -> std::shared_ptr<Transform> {
        static const ComponentInfo i = info();
        ParamReader r(config, context, i.params);
        return std::make_shared<LabelToContourd>(LabelToContourdOptions()
                                                     .keys(r.stringList("keys"))
                                                     .kernel_type(r.string("kernel_type")));
    });
}

Sample LabelToContourd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key : options_.keys()) {
        Volume& v = sample.at(key);
        v.setData(labelToContour(v.data(), options_.kernel_type()));
    }
    return sample;
}

Json LabelToContourd::toJson() const {
    return {{"name", name()}, {"keys", options_.keys()}, {"kernel_type", options_.kernel_type()}};
}

} // namespace medulla
