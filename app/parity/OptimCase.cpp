#include "app/parity/OptimCase.h"

#include "engine/io/Npy.h"
#include "engine/optim/LrScheduler.h"
#include "engine/optim/OptimizerFactory.h"

namespace medulla::parity {

namespace {

bool isScheduler(const std::string& op) {
    for (const auto& info : schedulerInfos())
        if (info.name == op)
            return true;
    return false;
}

at::Tensor input(const nlohmann::json& spec, const std::string& dir, const std::string& name) {
    return readNpy(dir + "/" + spec.at("inputs").at(name).get<std::string>());
}

std::map<std::string, at::Tensor> runOptimizer(const nlohmann::json& spec, const std::string& dir) {
    // Parameters "param0", "param1", ... with gradients "grads0", "grads1", ...
    std::vector<at::Tensor> params, grads;
    for (int k = 0; spec["inputs"].contains("param" + std::to_string(k)); ++k) {
        params.push_back(input(spec, dir, "param" + std::to_string(k)).clone());
        grads.push_back(input(spec, dir, "grads" + std::to_string(k)));
    }
    if (params.empty())
        throw std::runtime_error("the case has no param0 input");
    nlohmann::json config = spec.at("params");
    config["name"] = spec.at("op");
    auto optimizer = makeOptimizer(config, params, "params");
    const int64_t steps = grads[0].size(0);
    std::vector<std::vector<at::Tensor>> trajectory(params.size());
    for (int64_t s = 0; s < steps; ++s) {
        for (size_t k = 0; k < params.size(); ++k)
            params[k].mutable_grad() = grads[k][s].clone();
        optimizer->step();
        for (size_t k = 0; k < params.size(); ++k)
            trajectory[k].push_back(params[k].detach().clone());
    }
    std::map<std::string, at::Tensor> out;
    for (size_t k = 0; k < params.size(); ++k)
        out["param" + std::to_string(k) + "_steps"] = torch::stack(trajectory[k]);
    return out;
}

std::map<std::string, at::Tensor> runSchedule(const nlohmann::json& spec, const std::string& dir) {
    at::Tensor probe = torch::zeros({1}, torch::requires_grad());
    torch::optim::SGD sgd({probe}, torch::optim::SGDOptions(spec.at("base_lr").get<double>()));
    nlohmann::json config = spec.at("params");
    config["name"] = spec.at("op");
    auto scheduler = makeScheduler(config, sgd, "params");
    const int64_t n = readNpy(dir + "/" + spec.at("outputs").at("lr").get<std::string>()).size(0);
    std::vector<double> lrs;
    for (int64_t i = 0; i < n; ++i) {
        lrs.push_back(scheduler->currentLrs()[0]);
        scheduler->step();
    }
    return {{"lr", torch::tensor(lrs, torch::kDouble)}};
}

} // namespace

bool hasOptim(const std::string& op) {
    if (isScheduler(op))
        return true;
    for (const auto& info : optimizerInfos())
        if (info.name == op)
            return true;
    return false;
}

std::map<std::string, at::Tensor> runOptimCase(const nlohmann::json& spec, const std::string& dir) {
    return isScheduler(spec.at("op").get<std::string>()) ? runSchedule(spec, dir)
                                                         : runOptimizer(spec, dir);
}

} // namespace medulla::parity
