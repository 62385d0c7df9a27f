#pragma once
/// A second name for a module that PyTorch reaches by two paths. MONAI
/// networks sometimes register one module under two attributes (DynUNet's
/// "skip_layers" tree holds the same blocks as "input_block", "downsamples",
/// ...; SegResNet reuses one activation module). PyTorch's state_dict lists
/// every path while named_parameters lists each tensor once, under its first
/// name. LibTorch would list both paths as parameters (and an optimiser would
/// step the tensor twice), so the second path is an alias: a module tree of
/// the same shape whose *buffers* are the very tensors of the original.
/// State dicts (moduleStateDict: parameters + buffers) then carry MONAI's
/// keys, loading writes the shared tensors, named_parameters stays
/// duplicate-free, and to(dtype/device) keeps the sharing (set_data).

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <functional>

namespace medulla {

class ModuleAliasImpl : public torch::nn::Module {
public:
    /// Mirrors `original` (children, parameters, buffers) by name. `forward`
    /// (optional) is what the alias computes when it sits in a Sequence,
    /// normally the original's own forward.
    explicit ModuleAliasImpl(const torch::nn::Module& original,
                             std::function<at::Tensor(at::Tensor)> forward = {});
    /// The function given (identity without one).
    at::Tensor forward(at::Tensor x) { return forward_ ? forward_(std::move(x)) : x; }

private:
    std::function<at::Tensor(at::Tensor)> forward_;
};
TORCH_MODULE(ModuleAlias);

} // namespace medulla
