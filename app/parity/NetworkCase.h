#pragma once
/// The "networks" group of a MONAI parity directory: build the network from
/// the case's MONAI parameters, check its state-dict keys and shapes against
/// `<id>_state_keys.json`, load MONAI's weights (the `.pt`, or the
/// medulla-hash-v1 rule), then compare the eval-mode output, the train-mode
/// output and loss, and per-parameter gradient norms in float32 and float64.

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>
#include <string>

namespace medulla::parity {

/// True if Medulla has a network named `op`.
bool hasNetwork(const std::string& op);

/// Runs the case. Returns "output", "train_output" and "train_loss" for the
/// generic comparison; throws std::runtime_error describing the first key,
/// shape or gradient-norm mismatch.
std::map<std::string, at::Tensor> runNetworkCase(const nlohmann::json& spec,
                                                 const std::string& dir);

/// MONAI parity's "medulla-hash-v1" weights: entry j of `keys` (the order of
/// state_keys.json) gets deterministic values computed in float64.
void applyHashWeights(torch::nn::Module& net, const std::vector<std::string>& keys);

} // namespace medulla::parity
