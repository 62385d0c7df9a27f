#include "engine/networks/SkipConnection.h"

#include <torch/torch.h>

namespace medulla {

SkipConnectionImpl::SkipConnectionImpl(torch::nn::AnyModule submodule)
    : submodule_(std::move(submodule)) {
    register_module("submodule", submodule_.ptr());
}

at::Tensor SkipConnectionImpl::forward(at::Tensor x) {
    return torch::cat({x, submodule_.forward(x)}, 1);
}

} // namespace medulla
