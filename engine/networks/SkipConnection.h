#pragma once
/// MONAI's SkipConnection: concatenates the input with the output of
/// "submodule" along the channel axis.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>

namespace medulla {

class SkipConnectionImpl : public torch::nn::Module {
public:
    explicit SkipConnectionImpl(torch::nn::AnyModule submodule);
    at::Tensor forward(at::Tensor x);

private:
    torch::nn::AnyModule submodule_;
};
TORCH_MODULE(SkipConnection);

} // namespace medulla
