#include "engine/networks/UnetrBlocks.h"

#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/networks/Layers.h"

namespace medulla::unetr {
namespace nn = torch::nn;

Convolution makeConvLayer(int dims, int64_t in, int64_t out, const std::vector<int64_t>& kernel,
                          const std::vector<int64_t>& stride, bool transposed,
                          const LayerSpec& dropout, bool bias, bool convOnly,
                          const std::string& field) {
    const auto k = perAxis(kernel, dims, field);
    const auto s = perAxis(stride, dims, field);
    ConvolutionOptions c;
    c.spatial_dims = dims;
    c.in_channels = in;
    c.out_channels = out;
    c.kernel_size = k;
    c.strides = s;
    c.act = LayerSpec();
    c.norm = LayerSpec();
    c.dropout = dropout;
    c.bias = bias;
    c.conv_only = convOnly;
    c.is_transposed = transposed;
    for (int d = 0; d < dims; ++d) {
        // MONAI: int((k - s + 1) / 2), computed in floating point.
        const int64_t twice = k[d] - s[d] + 1;
        if (twice < 0)
            throw ConfigError("padding value should not be negative (kernel " +
                                  std::to_string(k[d]) + ", stride " + std::to_string(s[d]) + ")",
                              {}, field);
        const int64_t p = twice / 2;
        c.padding.push_back(p);
        if (transposed) {
            const int64_t op = 2 * p + s[d] - k[d];
            if (op < 0)
                throw ConfigError("output padding should not be negative (kernel " +
                                      std::to_string(k[d]) + ", stride " + std::to_string(s[d]) +
                                      ")",
                                  {}, field);
            c.output_padding.push_back(op);
        }
    }
    return Convolution(c);
}

namespace {
ConvBlockOptions with(ConvBlockOptions o, int64_t in, int64_t out, std::vector<int64_t> stride) {
    o.in_channels = in;
    o.out_channels = out;
    o.stride = std::move(stride);
    return o;
}
} // namespace

UnetResBlockImpl::UnetResBlockImpl(const ConvBlockOptions& o) {
    const int d = o.spatial_dims;
    conv1_ = register_module("conv1", makeConvLayer(d, o.in_channels, o.out_channels, o.kernel_size,
                                                    o.stride, false, o.dropout));
    conv2_ = register_module("conv2", makeConvLayer(d, o.out_channels, o.out_channels,
                                                    o.kernel_size, {1}, false, o.dropout));
    lrelu_ = makeActivation(o.act_name);
    if (!lrelu_.is_empty())
        register_module("lrelu", lrelu_.ptr());
    norm1_ = makeNorm(o.norm_name, d, o.out_channels);
    register_module("norm1", norm1_.ptr());
    norm2_ = makeNorm(o.norm_name, d, o.out_channels);
    register_module("norm2", norm2_.ptr());
    bool downsample = o.in_channels != o.out_channels;
    for (auto s : o.stride)
        downsample = downsample || s != 1;
    if (downsample) {
        conv3_ = register_module("conv3", makeConvLayer(d, o.in_channels, o.out_channels, {1},
                                                        o.stride, false, o.dropout));
        norm3_ = makeNorm(o.norm_name, d, o.out_channels);
        register_module("norm3", norm3_.ptr());
    }
}

at::Tensor UnetResBlockImpl::forward(at::Tensor x) {
    at::Tensor residual = x;
    at::Tensor out = conv1_->forward(x);
    out = norm1_.forward(out);
    if (!lrelu_.is_empty())
        out = lrelu_.forward(out);
    out = norm2_.forward(conv2_->forward(out));
    if (conv3_)
        residual = norm3_.forward(conv3_->forward(residual));
    out = out + residual;
    if (!lrelu_.is_empty())
        out = lrelu_.forward(out);
    return out;
}

UnetBasicBlockImpl::UnetBasicBlockImpl(const ConvBlockOptions& o) {
    const int d = o.spatial_dims;
    conv1_ = register_module("conv1", makeConvLayer(d, o.in_channels, o.out_channels, o.kernel_size,
                                                    o.stride, false, o.dropout));
    conv2_ = register_module("conv2", makeConvLayer(d, o.out_channels, o.out_channels,
                                                    o.kernel_size, {1}, false, o.dropout));
    lrelu_ = makeActivation(o.act_name);
    if (!lrelu_.is_empty())
        register_module("lrelu", lrelu_.ptr());
    norm1_ = makeNorm(o.norm_name, d, o.out_channels);
    register_module("norm1", norm1_.ptr());
    norm2_ = makeNorm(o.norm_name, d, o.out_channels);
    register_module("norm2", norm2_.ptr());
}

at::Tensor UnetBasicBlockImpl::forward(at::Tensor x) {
    x = norm1_.forward(conv1_->forward(x));
    if (!lrelu_.is_empty())
        x = lrelu_.forward(x);
    x = norm2_.forward(conv2_->forward(x));
    if (!lrelu_.is_empty())
        x = lrelu_.forward(x);
    return x;
}

nn::AnyModule makeUnetBlock(const ConvBlockOptions& o, bool residual) {
    if (residual)
        return nn::AnyModule(UnetResBlock(o));
    return nn::AnyModule(UnetBasicBlock(o));
}

UnetOutBlockImpl::UnetOutBlockImpl(int dims, int64_t in, int64_t out, const LayerSpec& dropout) {
    conv_ = register_module("conv", makeConvLayer(dims, in, out, {1}, {1}, false, dropout, true));
}

UnetrBasicBlockImpl::UnetrBasicBlockImpl(const ConvBlockOptions& o, bool resBlock) {
    layer_ = makeUnetBlock(o, resBlock);
    register_module("layer", layer_.ptr());
}

UnetrPrUpBlockImpl::UnetrPrUpBlockImpl(const ConvBlockOptions& o, int64_t numLayer,
                                       const std::vector<int64_t>& up, bool convBlock,
                                       bool resBlock) {
    const int d = o.spatial_dims;
    const int64_t c = o.out_channels;
    transpConvInit_ =
        register_module("transp_conv_init", makeConvLayer(d, o.in_channels, c, up, up, true, {},
                                                          false, true, "upsample_kernel_size"));
    blocks_ = register_module("blocks", Sequence());
    for (int64_t i = 0; i < numLayer; ++i) {
        Convolution up2 =
            makeConvLayer(d, c, c, up, up, true, {}, false, true, "upsample_kernel_size");
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
    const int d = o.spatial_dims;
    transpConv_ =
        register_module("transp_conv", makeConvLayer(d, o.in_channels, o.out_channels, up, up, true,
                                                     {}, false, true, "upsample_kernel_size"));
    convBlock_ = makeUnetBlock(with(o, 2 * o.out_channels, o.out_channels, {1}), resBlock);
    register_module("conv_block", convBlock_.ptr());
}

at::Tensor UnetrUpBlockImpl::forward(at::Tensor x, at::Tensor skip) {
    x = transpConv_->forward(x);
    return convBlock_.forward(torch::cat({x, skip}, 1));
}

} // namespace medulla::unetr
