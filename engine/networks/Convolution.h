#pragma once
/// MONAI's Convolution block: "conv" (optionally transposed) followed by
/// "adn" = norm ("N"), dropout ("D"), activation ("A") in that order.
/// Child names match MONAI so state-dict keys are identical.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>

#include <string>

namespace medulla {

struct ConvolutionOptions {
    int spatial_dims = 3;
    int64_t in_channels = 1;
    int64_t out_channels = 1;
    int64_t strides = 1;
    int64_t kernel_size = 3;
    std::string act = "prelu";
    std::string norm = "instance";
    double dropout = 0.0; ///< < 0: no dropout module at all
    bool bias = true;
    bool conv_only = false;
    bool is_transposed = false;
};

class ConvolutionImpl : public torch::nn::Module {
public:
    explicit ConvolutionImpl(const ConvolutionOptions& options);
    at::Tensor forward(at::Tensor x);

private:
    torch::nn::AnyModule conv_, norm_, dropout_, act_;
};
TORCH_MODULE(Convolution);

} // namespace medulla
