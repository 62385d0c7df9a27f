#pragma once
/// MONAI's Convolution block: "conv" (optionally transposed) followed by
/// "adn" = norm ("N"), dropout ("D") and activation ("A") in `adn_ordering`
/// order. Child names match MONAI so state-dict keys are identical.
/// Input (B, in_channels, *spatial) -> (B, out_channels, *spatial').

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "engine/networks/LayerSpec.h"
#include "engine/networks/Sequence.h"

namespace medulla {

struct ConvolutionOptions {
    int spatial_dims = 3;
    int64_t in_channels = 1;
    int64_t out_channels = 1;
    std::vector<int64_t> strides{1};
    std::vector<int64_t> kernel_size{3};
    std::string adn_ordering = "NDA";
    LayerSpec act = "prelu";
    LayerSpec norm = "instance";
    LayerSpec dropout; ///< none: no "D" module (MONAI's None)
    int dropout_dim = 1;
    std::vector<int64_t> dilation{1};
    int64_t groups = 1;
    bool bias = true;
    bool conv_only = false;
    bool is_transposed = false;
    std::vector<int64_t> padding;        ///< empty: same padding
    std::vector<int64_t> output_padding; ///< empty: stride - 1 (transposed)
};

/// The options most blocks set: size, stride, kernel and the layer choices.
ConvolutionOptions convolutionOptions(int dims, int64_t in, int64_t out, int64_t stride,
                                      std::vector<int64_t> kernel, const LayerSpec& act,
                                      const LayerSpec& norm, const LayerSpec& dropout, bool bias);

/// MONAI's ADN: the norm, dropout and activation modules named "N", "D",
/// "A", applied in `ordering` (e.g. "NDA"); absent ones are skipped.
Sequence makeADN(const std::string& ordering, int64_t channels, const LayerSpec& act,
                 const LayerSpec& norm, int normDims, const LayerSpec& dropout, int dropoutDim);

class ConvolutionImpl : public torch::nn::Module {
public:
    explicit ConvolutionImpl(const ConvolutionOptions& options);
    at::Tensor forward(at::Tensor x);

private:
    torch::nn::AnyModule conv_;
    Sequence adn_{nullptr};
};
TORCH_MODULE(Convolution);

} // namespace medulla
