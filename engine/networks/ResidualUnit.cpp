#include "engine/networks/ResidualUnit.h"

#include <torch/torch.h>

#include "engine/networks/Layers.h"

namespace medulla {

ResidualUnitImpl::ResidualUnitImpl(const ResidualUnitOptions& o) {
    const int64_t n = std::max<int64_t>(1, o.subunits);
    const int dims = o.conv.spatial_dims;
    ConvolutionOptions c = o.conv;
    c.groups = 1;
    c.is_transposed = false;
    if (c.padding.empty())
        c.padding = samePadding(c.kernel_size, c.dilation, dims);
    const std::vector<int64_t> padding = c.padding;
    for (int64_t su = 0; su < n; ++su) {
        c.conv_only = o.last_conv_only && su == n - 1;
        conv_->push_back("unit" + std::to_string(su), Convolution(c));
        c.in_channels = o.conv.out_channels;
        c.strides = {1};
    }
    register_module("conv", conv_);
    int64_t strideProduct = 1;
    for (auto s : perAxis(o.conv.strides, dims, "strides"))
        strideProduct *= s;
    if (strideProduct != 1 || o.conv.in_channels != o.conv.out_channels) {
        ConvSpec r;
        r.spatial_dims = dims;
        r.in_channels = o.conv.in_channels;
        r.out_channels = o.conv.out_channels;
        r.stride = o.conv.strides;
        r.bias = o.conv.bias;
        // Only the channels change: a 1x1 convolution without padding.
        r.kernel_size = strideProduct == 1 ? std::vector<int64_t>{1} : o.conv.kernel_size;
        r.padding = strideProduct == 1 ? std::vector<int64_t>{0} : padding;
        residual_ = makeConv(r);
        register_module("residual", residual_.ptr());
    }
}

at::Tensor ResidualUnitImpl::forward(at::Tensor x) {
    at::Tensor res = residual_.is_empty() ? x : residual_.forward(x);
    return conv_->forward(x) + res;
}

} // namespace medulla
