#include "engine/training/WeightsTransfer.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include <filesystem>

#include "engine/core/Error.h"
#include "engine/networks/Network.h"
#include "engine/networks/NetworkProbe.h"
#include "engine/training/Checkpoint.h"

namespace medulla {
namespace {

bool isTensorDict(const c10::IValue& v) {
    if (!v.isGenericDict())
        return false;
    for (const auto& kv : v.toGenericDict())
        if (!kv.key().isString() || !kv.value().isTensor())
            return false;
    return true;
}

StateDict toStateDict(const c10::IValue& v) {
    StateDict out;
    for (const auto& kv : v.toGenericDict())
        out[kv.key().toStringRef()] = kv.value().toTensor();
    return out;
}

/// Remove a "module." prefix present on every key (DataParallel / DDP).
bool stripModulePrefix(StateDict& state) {
    const std::string prefix = "module.";
    if (state.empty())
        return false;
    for (const auto& kv : state)
        if (kv.first.rfind(prefix, 0) != 0)
            return false;
    StateDict out;
    for (auto& kv : state)
        out[kv.first.substr(prefix.size())] = kv.second;
    state = std::move(out);
    return true;
}

bool isMedullaCheckpoint(const std::string& path) {
    try {
        torch::serialize::InputArchive root;
        root.load_from(path);
        torch::serialize::InputArchive model;
        return root.try_read("model", model);
    } catch (const std::exception&) {
        return false;
    }
}

std::string shapeText(at::IntArrayRef s) {
    return Json(s.vec()).dump();
}

} // namespace

Json networkConfigOf(const Json& json, const std::string& file) {
    if (json.is_object() && json.contains("network") && json["network"].is_object())
        return json["network"];
    if (json.is_object() && json.contains("name") && json["name"].is_string())
        return json;
    throw ConfigError("expected a network object {\"name\": \"UNet\", ...} or an experiment with "
                      "a \"network\" member",
                      {}, file);
}

StateDict readPytorchWeights(const std::string& path, std::string* container) {
    const c10::IValue value = readTorchPickle(path);
    if (isTensorDict(value)) {
        if (container)
            *container = "state dict";
        return toStateDict(value);
    }
    if (value.isGenericDict()) {
        for (const char* key : {"state_dict", "model", "net", "network", "model_state_dict"}) {
            for (const auto& kv : value.toGenericDict())
                if (kv.key().isString() && kv.key().toStringRef() == key &&
                    isTensorDict(kv.value())) {
                    if (container)
                        *container = std::string("checkpoint['") + key + "']";
                    return toStateDict(kv.value());
                }
        }
    }
    throw IoError("holds no state dict (a dict of tensors, or one under \"state_dict\", "
                  "\"model\", \"net\", \"network\" or \"model_state_dict\")",
                  path);
}

void checkWeightsMatch(const torch::nn::Module& net, const StateDict& state,
                       const std::string& file) {
    const StateDict own = moduleStateDict(net);
    std::vector<std::string> problems;
    bool shapeProblem = false;
    for (const auto& kv : own) {
        auto it = state.find(kv.first);
        if (it == state.end()) {
            problems.push_back("missing: " + kv.first);
        } else if (it->second.sizes() != kv.second.sizes()) {
            problems.push_back(kv.first + ": " + shapeText(it->second.sizes()) + " in the file, " +
                               shapeText(kv.second.sizes()) + " in the network");
            shapeProblem = true;
        }
    }
    for (const auto& kv : state)
        if (!own.count(kv.first))
            problems.push_back("unexpected: " + kv.first);
    if (problems.empty())
        return;
    std::string msg =
        "the weights do not fit the network (" + std::to_string(problems.size()) + " problems):";
    for (size_t i = 0; i < problems.size() && i < 10; ++i)
        msg += "\n  " + problems[i];
    if (problems.size() > 10)
        msg += "\n  ...";
    if (shapeProblem)
        throw ShapeError(msg, file);
    throw ConfigError(msg, file);
}

WeightsReport importWeights(const std::string& input, const Json& networkConfig,
                            const std::string& outputCheckpoint) {
    WeightsReport r;
    auto net = networkRegistry().create(networkConfig, "network");
    r.networkName = networkConfig.value("name", "");
    StateDict state = readPytorchWeights(input, &r.container);
    r.strippedModulePrefix = stripModulePrefix(state);
    checkWeightsMatch(*net, state, input);
    loadStateDict(*net, state, true);
    saveCheckpoint(outputCheckpoint, *net, nullptr, CheckpointInfo{});
    r.tensors = state.size();
    r.parameters = parameterCount(*net);
    return r;
}

WeightsReport exportWeights(const std::string& input, const Json& networkConfig,
                            const std::string& outputStateDict) {
    WeightsReport r;
    auto net = networkRegistry().create(networkConfig, "network");
    r.networkName = networkConfig.value("name", "");
    if (!std::filesystem::exists(input))
        throw IoError("does not exist", input);
    if (isMedullaCheckpoint(input)) {
        loadCheckpoint(input, *net);
        r.container = "Medulla checkpoint";
    } else {
        StateDict state = readPytorchWeights(input, &r.container);
        r.strippedModulePrefix = stripModulePrefix(state);
        checkWeightsMatch(*net, state, input);
        loadStateDict(*net, state, true);
    }
    const StateDict out = moduleStateDict(*net);
    writeStateDict(out, outputStateDict);
    r.tensors = out.size();
    r.parameters = parameterCount(*net);
    return r;
}

} // namespace medulla
