#include "engine/transforms/MeanEnsembled.h"

#include <torch/torch.h>

#include <functional>

#include "engine/transforms/EnsembleOps.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

namespace {

/// Rectangular nested lists of numbers -> float32 tensor.
at::Tensor nestedToTensor(const Json& v, const std::string& field) {
    std::vector<int64_t> shape;
    const Json* level = &v;
    while (level->is_array()) {
        shape.push_back(int64_t(level->size()));
        if (level->empty())
            break;
        level = &(*level)[0];
    }
    std::vector<float> values;
    std::function<void(const Json&, size_t, const std::string&)> walk =
        [&](const Json& e, size_t depth, const std::string& f) {
            if (depth == shape.size()) {
                if (!e.is_number())
                    throw ConfigError("expected a number, got " + e.dump(), {}, f);
                values.push_back(e.get<float>());
                return;
            }
            if (!e.is_array() || int64_t(e.size()) != shape[depth])
                throw ConfigError("nested lists must be rectangular (expected " +
                                      std::to_string(shape[depth]) + " entries)",
                                  {}, f);
            for (size_t i = 0; i < e.size(); ++i)
                walk(e[i], depth + 1, f + "[" + std::to_string(i) + "]");
        };
    walk(v, 0, field);
    return torch::tensor(values, torch::kFloat).reshape(shape);
}

Json tensorToNested(const at::Tensor& t) {
    if (t.dim() == 0)
        return t.item<double>();
    Json out = Json::array();
    for (int64_t i = 0; i < t.size(0); ++i)
        out.push_back(tensorToNested(t[i]));
    return out;
}

} // namespace

MeanEnsembled::MeanEnsembled(MeanEnsembledOptions options)
    : Ensembled("MeanEnsembled", options.keys(), options.output_key()),
      options_(std::move(options)) {}

ComponentInfo MeanEnsembled::info() {
    return {"MeanEnsembled",
            "transform",
            "Weighted mean of the predictions of several models (stacked on a new first dim).",
            {{"keys", ParamType::StringList, Json(), 0, 0, {}, "the models' prediction keys"},
             {"output_key",
              ParamType::String,
              "",
              0,
              0,
              {},
              "key of the result (\"\" or null = the only key)"},
             {"weights",
              ParamType::FloatList,
              Json::array(),
              -1e30,
              1e30,
              {},
              "one weight per model, or [[per channel] per model]; [] or null = equal"}}};
}

std::shared_ptr<Transform> MeanEnsembled::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&]() -> std::shared_ptr<Transform> {
        ParamReader r(config, context, i.params);
        const at::Tensor weights = weightsFromJson(r.raw("weights"), r.field("weights"));
        const bool nullKey = r.has("output_key") && r.raw("output_key").is_null();
        return std::make_shared<MeanEnsembled>(
            MeanEnsembledOptions()
                .keys(r.stringList("keys"))
                .output_key(nullKey ? std::string() : r.string("output_key"))
                .weights(weights));
    });
}

at::Tensor MeanEnsembled::weightsFromJson(const Json& weights, const std::string& field) {
    if (weights.is_null())
        return {};
    if (weights.is_number())
        return torch::tensor({weights.get<float>()}, torch::kFloat);
    return nestedToTensor(weights, field);
}

Json MeanEnsembled::toJson() const {
    Json j = keysJson();
    const at::Tensor& w = options_.weights();
    j["weights"] = w.defined() && w.numel() > 0 ? tensorToNested(w) : Json(nullptr);
    return j;
}

at::Tensor MeanEnsembled::ensemble(const at::Tensor& stacked) const {
    return meanEnsemble(stacked, options_.weights());
}

} // namespace medulla
