#include "engine/networks/ResidualUnit.h"

#include <torch/torch.h>

#include "engine/networks/Layers.h"

namespace medulla {

ResidualUnitImpl::ResidualUnitImpl(const ResidualUnitOptions& o) {
    const int64_t n = std::max<int64_t>(1, o.subunits);
    ConvolutionOptions c = o.conv;
    for (int64_t su = 0; su < n; ++su) {
        c.conv_only = o.last_conv_only && su == n - 1;
        conv_->push_back("unit" + std::to_string(su), Convolution(c));
        c.in_channels = o.conv.out_channels;
        c.strides = 1;
    }
    register_module("conv", conv_);
    if (o.conv.strides != 1 || o.conv.in_channels != o.conv.out_channels) {
        const bool onlyChannels = o.conv.strides == 1;
        residual_ = makeConv(o.conv.spatial_dims, o.conv.in_channels, o.conv.out_channels,
                             onlyChannels ? 1 : o.conv.kernel_size, o.conv.strides, false,
                             o.conv.bias, onlyChannels ? 0 : -1);
        register_module("residual", residual_.ptr());
    }
}

at::Tensor ResidualUnitImpl::forward(at::Tensor x) {
    at::Tensor res = residual_.is_empty() ? x : residual_.forward(x);
    return conv_->forward(x) + res;
}

} // namespace medulla
