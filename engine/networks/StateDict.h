#pragma once
/// PyTorch state dicts: read what `torch.save(model.state_dict(), f)` wrote,
/// load it into a module by key (MONAI's names), and write one back that
/// `torch.load` reads.

#include <ATen/core/ivalue.h>
#include <torch/nn/module.h>

#include <map>
#include <string>

namespace medulla {

using StateDict = std::map<std::string, at::Tensor>;

/// The object a torch.save file (zip format) holds. Throws IoError naming the
/// file if it is missing or unreadable (or holds Python objects other than
/// tensors, numbers, strings, lists and dicts).
c10::IValue readTorchPickle(const std::string& path);

/// Read a dict of tensors saved with torch.save (zip format). Throws IoError
/// naming the file if it is missing, corrupt or not a dict of tensors.
StateDict readStateDict(const std::string& path);

/// Parameters and buffers of `module` by their dotted names.
StateDict moduleStateDict(const torch::nn::Module& module);

/// Copy values into the module's parameters and buffers. With strict, every
/// key must match both ways and shapes must agree; errors name the key.
void loadStateDict(torch::nn::Module& module, const StateDict& state, bool strict = true);

/// Write a plain dict {name: tensor} that torch.load reads, atomically.
void writeStateDict(const StateDict& state, const std::string& path);

} // namespace medulla
