#include "engine/networks/Convolution.h"

#include <torch/torch.h>

#include "engine/networks/Layers.h"

namespace medulla {

ConvolutionImpl::ConvolutionImpl(const ConvolutionOptions& o) {
    conv_ = makeConv(o.spatial_dims, o.in_channels, o.out_channels, o.kernel_size, o.strides,
                     o.is_transposed, o.bias);
    register_module("conv", conv_.ptr());
    if (o.conv_only)
        return;
    auto adn = std::make_shared<torch::nn::Module>();
    norm_ = makeNorm(o.norm, o.spatial_dims, o.out_channels);
    if (!norm_.is_empty())
        adn->register_module("N", norm_.ptr());
    if (o.dropout >= 0.0) {
        dropout_ = torch::nn::AnyModule(torch::nn::Dropout(o.dropout));
        adn->register_module("D", dropout_.ptr());
    }
    act_ = makeActivation(o.act);
    adn->register_module("A", act_.ptr());
    register_module("adn", adn);
}

at::Tensor ConvolutionImpl::forward(at::Tensor x) {
    x = conv_.forward(x);
    if (!norm_.is_empty())
        x = norm_.forward(x);
    if (!dropout_.is_empty())
        x = dropout_.forward(x);
    if (!act_.is_empty())
        x = act_.forward(x);
    return x;
}

} // namespace medulla
