#include "app/parity/LossCase.h"

#include "engine/io/Npy.h"
#include "engine/losses/Loss.h"

namespace medulla::parity {

bool hasLoss(const std::string& op) {
    return lossRegistry().contains(op);
}

std::map<std::string, at::Tensor> runLossCase(const nlohmann::json& spec, const std::string& dir) {
    const auto& inputs = spec["inputs"];
    auto array = [&](const char* name) {
        return readNpy(dir + "/" + inputs[name].get<std::string>());
    };
    nlohmann::json cfg = spec.value("params", nlohmann::json::object());
    cfg["name"] = spec["op"];
    const LossPtr loss = lossRegistry().create(cfg, "loss");
    const at::Tensor input = array("input").to(torch::kFloat).requires_grad_();
    const at::Tensor target = array("target");
    at::Tensor value = inputs.contains("mask") ? loss->masked(input, target, array("mask"))
                                               : (*loss)(input, target);
    const at::Tensor grad = torch::autograd::grad({value.sum()}, {input})[0];
    // The references store a reduced (0-d) loss as a 1-element array.
    const auto& ref = spec["outputs"]["loss"];
    if (value.dim() == 0 && ref.is_string()) {
        const at::Tensor want = readNpy(dir + "/" + ref.get<std::string>());
        if (want.numel() == 1)
            value = value.reshape(want.sizes());
    }
    return {{"loss", value.detach()}, {"grad_input", grad}};
}

} // namespace medulla::parity
