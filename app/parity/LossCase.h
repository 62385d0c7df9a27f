#pragma once
/// The "losses" group of a MONAI parity directory: build the loss from the
/// case's MONAI parameters through the loss registry, evaluate it on the
/// case's input (float32, requiring grad), target and optional mask, and
/// return the loss and d(sum(loss))/d(input).

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>
#include <string>

namespace medulla::parity {

/// True if Medulla has a loss named `op`.
bool hasLoss(const std::string& op);

/// Runs the case. Returns "loss" (shaped as the reference when that holds
/// a reduced loss as a 1-element array) and "grad_input".
std::map<std::string, at::Tensor> runLossCase(const nlohmann::json& spec, const std::string& dir);

} // namespace medulla::parity
