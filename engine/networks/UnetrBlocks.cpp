#include "engine/networks/UnetrBlocks.h"

#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/networks/Layers.h"

namespace medulla::unetr {
namespace nn = torch::nn;

namespace {
ConvBlockOptions with(ConvBlockOptions o, int64_t in, int64_t out, std::vector<int64_t> stride) {
    o.in_channels = in;
    o.out_channels = out;
    o.stride = std::move(stride);
    return o;
}
} // namespace

nn::AnyModule makeUnetBlock(const ConvBlockOptions& o, bool residual) {
    return nn::AnyModule(UnetConvBlock(o, residual));
}

UnetOutBlockImpl::UnetOutBlockImpl(int dims, int64_t in, int64_t out) {
    ConvBlockOptions o;
    o.spatial_dims = dims;
    conv_ = register_module("conv", dynConv(o, in, out, {1}, {1}, true, false));
}

UnetrBasicBlockImpl::UnetrBasicBlockImpl(const ConvBlockOptions& o, bool resBlock) {
    layer_ = makeUnetBlock(o, resBlock);
    register_module("layer", layer_.ptr());
}

UnetrPrUpBlockImpl::UnetrPrUpBlockImpl(const ConvBlockOptions& o, int64_t numLayer,
                                       const std::vector<int64_t>& up, bool convBlock,
                                       bool resBlock) {
    const int64_t c = o.out_channels;
    // The transposed convolutions carry no dropout (MONAI's conv_only).
    ConvBlockOptions plain = o;
    plain.dropout = LayerSpec();
    transpConvInit_ =
        register_module("transp_conv_init", dynConv(plain, o.in_channels, c, up, up, false, true));
    blocks_ = register_module("blocks", Sequence());
    for (int64_t i = 0; i < numLayer; ++i) {
        Convolution up2 = dynConv(plain, c, c, up, up, false, true);
        if (!convBlock) {
            blocks_->push_back(up2);
            continue;
        }
        Sequence seq;
        seq->push_back(up2);
        seq->push_back(makeUnetBlock(with(o, c, c, o.stride), resBlock));
        blocks_->push_back(seq);
    }
}

at::Tensor UnetrPrUpBlockImpl::forward(at::Tensor x) {
    x = transpConvInit_->forward(x);
    // num_layer may be 0: an empty Sequential cannot be called.
    for (auto& blk : *blocks_)
        x = blk.forward(x);
    return x;
}

UnetrUpBlockImpl::UnetrUpBlockImpl(const ConvBlockOptions& o, const std::vector<int64_t>& up,
                                   bool resBlock) {
    ConvBlockOptions plain = o;
    plain.dropout = LayerSpec();
    transpConv_ = register_module(
        "transp_conv", dynConv(plain, o.in_channels, o.out_channels, up, up, false, true));
    convBlock_ = makeUnetBlock(with(o, 2 * o.out_channels, o.out_channels, {1}), resBlock);
    register_module("conv_block", convBlock_.ptr());
}

at::Tensor UnetrUpBlockImpl::forward(at::Tensor x, at::Tensor skip) {
    x = transpConv_->forward(x);
    return convBlock_.forward(torch::cat({x, skip}, 1));
}

} // namespace medulla::unetr
