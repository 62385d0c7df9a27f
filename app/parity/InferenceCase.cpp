#include "app/parity/InferenceCase.h"

#include <stdexcept>

#include "engine/inference/InfererFactory.h"
#include "engine/io/Npy.h"
#include "engine/transforms/EnsembleOps.h"
#include "engine/transforms/MeanEnsembled.h"

namespace medulla::parity {
namespace {

using Json = nlohmann::json;

at::Tensor input(const Json& spec, const std::string& dir, const std::string& name) {
    return readNpy(dir + "/" + spec.at("inputs").at(name).get<std::string>());
}

/// Conv (padding k/2) -> InstanceNorm (no affine, eps 1e-5) [-> zoom | pool].
Predictor parityPredictor(const Json& spec, const std::string& dir) {
    const at::Tensor w = input(spec, dir, "predictor_weight").to(torch::kFloat);
    const at::Tensor b = input(spec, dir, "predictor_bias").to(torch::kFloat);
    const int64_t nd = w.dim() - 2, pad = w.size(2) / 2;
    std::vector<double> zoom;
    if (spec.contains("predictor_zoom"))
        zoom = spec["predictor_zoom"].get<std::vector<double>>();
    const int64_t pool = spec.value("predictor_pool", int64_t(0));
    return [=](const at::Tensor& x) {
        at::Tensor y = nd == 3 ? torch::conv3d(x, w, b, 1, pad) : torch::conv2d(x, w, b, 1, pad);
        y = torch::instance_norm(y, {}, {}, {}, {}, true, 0.1, 1e-5, false);
        if (!zoom.empty())
            y = torch::nn::functional::interpolate(
                y, torch::nn::functional::InterpolateFuncOptions().scale_factor(zoom).mode(
                       torch::kNearest));
        if (pool > 0)
            y = nd == 3 ? torch::avg_pool3d(y, pool) : torch::avg_pool2d(y, pool);
        return y;
    };
}

at::Tensor stackedInputs(const Json& spec, const std::string& dir) {
    if (spec["inputs"].contains("img"))
        return input(spec, dir, "img");
    std::vector<at::Tensor> items;
    for (int k = 0; spec["inputs"].contains("img" + std::to_string(k)); ++k)
        items.push_back(input(spec, dir, "img" + std::to_string(k)));
    return stackEnsembleItems(items, spec["op"].get<std::string>().c_str());
}

} // namespace

bool hasInference(const std::string& op) {
    return op == "sliding_window_inference" || op == "MeanEnsemble" || op == "VoteEnsemble";
}

std::map<std::string, at::Tensor> runInferenceCase(const Json& spec, const std::string& dir) {
    const std::string op = spec.at("op").get<std::string>();
    const Json params = spec.value("params", Json::object());
    if (op == "MeanEnsemble")
        return {{"img", meanEnsemble(stackedInputs(spec, dir),
                                     MeanEnsembled::weightsFromJson(params.value("weights", Json()),
                                                                    "params.weights"))}};
    if (op == "VoteEnsemble") {
        std::optional<int64_t> n;
        if (params.contains("num_classes") && !params["num_classes"].is_null())
            n = params["num_classes"].get<int64_t>();
        return {{"img", voteEnsemble(stackedInputs(spec, dir), n)}};
    }
    Json config = params;
    config["name"] = "SlidingWindowInferer";
    const InfererPtr inferer = makeInferer(config, "params");
    torch::NoGradGuard noGrad;
    return {{"output", (*inferer)(input(spec, dir, "inputs"), parityPredictor(spec, dir))}};
}

} // namespace medulla::parity
