#pragma once
/// Optimizers by name with PyTorch's (and MONAI's) parameter names: Adam, AdamW,
/// Novograd, SGD.

#include <torch/optim/optimizer.h>

#include <memory>
#include <vector>

#include "engine/core/Params.h"

namespace medulla {

/// Parameters of every optimizer this factory knows, by name.
std::vector<ComponentInfo> optimizerInfos();

/// Build from {"name": "Adam", "lr": 1e-3, ...}; errors name `context`.
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const Json& config,
                                                       std::vector<at::Tensor> parameters,
                                                       const std::string& context = "optimizer");

} // namespace medulla
