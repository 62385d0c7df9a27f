#pragma once
/// nn::Sequential with a concrete forward(Tensor) -> Tensor, so it can be
/// nested inside AnyModule (LibTorch's own Sequential cannot). Children are
/// named "0", "1", ... or explicitly, as in PyTorch.

#include <torch/nn/modules/container/sequential.h>

namespace medulla {

class SequenceImpl : public torch::nn::SequentialImpl {
public:
    using SequentialImpl::SequentialImpl;
    at::Tensor forward(at::Tensor x) { return SequentialImpl::forward(std::move(x)); }
};
TORCH_MODULE(Sequence);

} // namespace medulla
