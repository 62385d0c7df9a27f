#include "engine/networks/Convolution.h"

#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/networks/Layers.h"

namespace medulla {

ConvolutionOptions convolutionOptions(int dims, int64_t in, int64_t out, int64_t stride,
                                      std::vector<int64_t> kernel, const LayerSpec& act,
                                      const LayerSpec& norm, const LayerSpec& dropout, bool bias) {
    ConvolutionOptions c;
    c.spatial_dims = dims;
    c.in_channels = in;
    c.out_channels = out;
    c.strides = {stride};
    c.kernel_size = std::move(kernel);
    c.act = act;
    c.norm = norm;
    c.dropout = dropout;
    c.bias = bias;
    return c;
}

Sequence makeADN(const std::string& ordering, int64_t channels, const LayerSpec& act,
                 const LayerSpec& norm, int normDims, const LayerSpec& dropout, int dropoutDim) {
    Sequence adn;
    for (char c : ordering) {
        const char u = char(std::toupper(static_cast<unsigned char>(c)));
        torch::nn::AnyModule m;
        if (u == 'N')
            m = makeNorm(norm, normDims, channels);
        else if (u == 'D')
            m = makeDropout(dropout, dropoutDim);
        else if (u == 'A')
            m = makeActivation(act);
        else
            throw ConfigError("must be made of the letters N, D and A, got \"" + ordering + "\"",
                              {}, "adn_ordering");
        if (!m.is_empty())
            adn->push_back(std::string(1, u), std::move(m));
    }
    return adn;
}

ConvolutionImpl::ConvolutionImpl(const ConvolutionOptions& o) {
    ConvSpec c;
    c.spatial_dims = o.spatial_dims;
    c.in_channels = o.in_channels;
    c.out_channels = o.out_channels;
    c.kernel_size = o.kernel_size;
    c.stride = o.strides;
    c.padding = o.padding;
    c.dilation = o.dilation;
    c.output_padding = o.output_padding;
    c.groups = o.groups;
    c.bias = o.bias;
    c.transposed = o.is_transposed;
    conv_ = makeConv(c);
    register_module("conv", conv_.ptr());
    if (o.conv_only || (o.act.none() && o.norm.none() && o.dropout.none()))
        return;
    adn_ = register_module("adn", makeADN(o.adn_ordering, o.out_channels, o.act, o.norm,
                                          o.spatial_dims, o.dropout, o.dropout_dim));
}

at::Tensor ConvolutionImpl::forward(at::Tensor x) {
    x = conv_.forward(x);
    if (adn_)
        x = adn_->forward(x);
    return x;
}

} // namespace medulla
