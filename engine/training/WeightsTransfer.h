#pragma once
/// Moving weights between PyTorch/MONAI and Medulla.
///
/// import: a file written by PyTorch's torch.save - a plain state dict
/// (`torch.save(model.state_dict())`, MONAI bundles' model.pt), or a dict that
/// holds one under "state_dict", "model", "net", "network" or
/// "model_state_dict" (MONAI's CheckpointSaver) - is checked key by key and
/// shape by shape against the configured network ("module." prefixes of
/// DataParallel/DDP saves are removed) and written as a Medulla checkpoint
/// (epoch 0) that training and inference load.
///
/// export: a Medulla checkpoint (or a plain state dict) becomes a plain dict
/// {key: tensor} that `model.load_state_dict(torch.load(f))` accepts in
/// PyTorch for the same MONAI network. Both write atomically.

#include <string>
#include <vector>

#include "engine/core/Params.h"
#include "engine/networks/StateDict.h"

namespace medulla {

struct WeightsReport {
    std::string networkName;
    size_t tensors = 0;     ///< entries written
    int64_t parameters = 0; ///< parameter elements of the network
    std::string container;  ///< "state dict", "checkpoint['net']", "Medulla checkpoint", ...
    bool strippedModulePrefix = false;
};

/// The network config of `json`: a network object {"name": ...}, or an
/// experiment with a "network" member. ConfigError naming `file` otherwise.
Json networkConfigOf(const Json& json, const std::string& file);

/// Read a torch.save file and find its state dict (see above). IoError
/// naming the file when it is unreadable or holds no dict of tensors.
StateDict readPytorchWeights(const std::string& path, std::string* container = nullptr);

/// Check `state` against `net`: every key present with the same shape and
/// nothing extra. Throws ShapeError/ConfigError listing up to 10 problems
/// ("missing: a.b.weight", "unexpected: ...", "a.weight: [4,1,3,3] in the
/// file, [8,1,3,3] in the network"); `file` names the source.
void checkWeightsMatch(const torch::nn::Module& net, const StateDict& state,
                       const std::string& file);

WeightsReport importWeights(const std::string& input, const Json& networkConfig,
                            const std::string& outputCheckpoint);

WeightsReport exportWeights(const std::string& input, const Json& networkConfig,
                            const std::string& outputStateDict);

} // namespace medulla
