#include "engine/optim/OptimizerFactory.h"

#include <torch/optim.h>

#include "engine/optim/Novograd.h"

namespace medulla {

std::vector<ComponentInfo> optimizerInfos() {
    const ParamSpec lr{"lr", ParamType::Float, 1e-3, 0.0, 10.0, {}, "learning rate"};
    const ParamSpec wd{"weight_decay", ParamType::Float, 0.0, 0.0, 10.0, {}, "L2 penalty"};
    return {{"Adam",
             "optimizer",
             "Adam (Kingma & Ba)",
             {lr,
              wd,
              {"betas", ParamType::FloatList, Json{0.9, 0.999}, 0.0, 1.0, {}, "moment decay rates"},
              {"eps", ParamType::Float, 1e-8, 0.0, 1.0, {}, "denominator term"},
              {"amsgrad", ParamType::Bool, false, 0, 1, {}, "AMSGrad variant"}}},
            {"AdamW",
             "optimizer",
             "Adam with decoupled weight decay",
             {lr,
              {"weight_decay", ParamType::Float, 1e-2, 0.0, 10.0, {}, "decoupled weight decay"},
              {"betas", ParamType::FloatList, Json{0.9, 0.999}, 0.0, 1.0, {}, "moment decay rates"},
              {"eps", ParamType::Float, 1e-8, 0.0, 1.0, {}, "denominator term"},
              {"amsgrad", ParamType::Bool, false, 0, 1, {}, "AMSGrad variant"}}},
            {"Novograd",
             "optimizer",
             "MONAI's Novograd: Adam-like with one second moment per parameter tensor",
             {lr,
              wd,
              {"betas", ParamType::FloatList, Json{0.9, 0.98}, 0.0, 1.0, {}, "moment decay rates"},
              {"eps", ParamType::Float, 1e-8, 0.0, 1.0, {}, "denominator term"},
              {"grad_averaging", ParamType::Bool, false, 0, 1, {}, "scale the update by 1 - beta1"},
              {"amsgrad", ParamType::Bool, false, 0, 1, {}, "AMSGrad variant"}}},
            {"SGD",
             "optimizer",
             "Stochastic gradient descent",
             {{"lr", ParamType::Float, 1e-2, 0.0, 10.0, {}, "learning rate"},
              wd,
              {"momentum", ParamType::Float, 0.0, 0.0, 1.0, {}, "momentum"},
              {"nesterov", ParamType::Bool, false, 0, 1, {}, "Nesterov momentum"}}}};
}

std::unique_ptr<torch::optim::Optimizer>
makeOptimizer(const Json& config, std::vector<at::Tensor> params, const std::string& context) {
    if (!config.is_object() || !config.contains("name") || !config["name"].is_string())
        throw ConfigError("expected an object with a \"name\"", {}, context);
    const std::string name = config["name"].get<std::string>();
    for (const auto& info : optimizerInfos()) {
        if (info.name != name)
            continue;
        ParamReader r(config, context, info.params);
        if (name == "SGD") {
            auto o = torch::optim::SGDOptions(r.number("lr"))
                         .weight_decay(r.number("weight_decay"))
                         .momentum(r.number("momentum"))
                         .nesterov(r.boolean("nesterov"));
            return std::make_unique<torch::optim::SGD>(std::move(params), o);
        }
        const auto betas = r.numberList("betas");
        if (betas.size() != 2)
            throw ConfigError("needs two values", {}, r.field("betas"));
        if (betas[0] >= 1.0 || betas[1] >= 1.0)
            throw ConfigError("must be in [0, 1)", {}, r.field("betas"));
        if (name == "Novograd") {
            auto o = NovogradOptions(r.number("lr"))
                         .weight_decay(r.number("weight_decay"))
                         .betas({betas[0], betas[1]})
                         .eps(r.number("eps"))
                         .grad_averaging(r.boolean("grad_averaging"))
                         .amsgrad(r.boolean("amsgrad"));
            return std::make_unique<Novograd>(std::move(params), o);
        }
        if (name == "Adam") {
            auto o = torch::optim::AdamOptions(r.number("lr"))
                         .weight_decay(r.number("weight_decay"))
                         .betas({betas[0], betas[1]})
                         .eps(r.number("eps"))
                         .amsgrad(r.boolean("amsgrad"));
            return std::make_unique<torch::optim::Adam>(std::move(params), o);
        }
        auto o = torch::optim::AdamWOptions(r.number("lr"))
                     .weight_decay(r.number("weight_decay"))
                     .betas({betas[0], betas[1]})
                     .eps(r.number("eps"))
                     .amsgrad(r.boolean("amsgrad"));
        return std::make_unique<torch::optim::AdamW>(std::move(params), o);
    }
    throw ConfigError("unknown optimizer \"" + name + "\" (known: Adam, AdamW, Novograd, SGD)", {},
                      context + ".name");
}

} // namespace medulla
