#pragma once
/// Loading a trained model for evaluation, inference and ensembles: the
/// weights of one network from whatever a run or a user has at hand.

#include <torch/nn/module.h>

#include <string>

namespace medulla {

/// Loads weights into the already-built `net` (strict: every key, every
/// shape) from `path`, which is one of:
///   - a run folder: its best_model_state.pt, else best_model.pt, else
///     checkpoint.pt (the first that exists);
///   - a Medulla checkpoint (best_model.pt, checkpoint.pt, checkpoint_*.pt,
///     or `medulla weights import`'s output);
///   - a torch.save file: a plain state dict (best_model_state.pt, MONAI's
///     model.pt) or a checkpoint dict holding one (see WeightsTransfer.h;
///     DDP's "module." prefixes are removed).
/// Returns the file actually read. Throws IoError naming the file (missing,
/// unreadable, no weights in it) or ShapeError/ConfigError listing the
/// mismatching keys.
std::string loadModelWeights(torch::nn::Module& net, const std::string& path);

} // namespace medulla
