#pragma once
/// The "optim" group of a MONAI parity directory: Novograd parameter
/// trajectories under fixed gradients, and the lr sequences of the
/// schedules (on SGD with the case's base_lr).

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>
#include <string>

namespace medulla::parity {

/// True if Medulla has an optimizer or schedule named `op`.
bool hasOptim(const std::string& op);

/// Runs the case. Optimizers: "<param>_steps" = the parameter after each
/// step (stacked along dim 0), for every "<param>" input with a matching
/// "grads<k>" input. Schedules: "lr" = the lr used by each optimizer step
/// (float64), as many as the reference holds.
std::map<std::string, at::Tensor> runOptimCase(const nlohmann::json& spec, const std::string& dir);

} // namespace medulla::parity
