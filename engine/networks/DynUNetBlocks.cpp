#include "engine/networks/DynUNetBlocks.h"

#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/networks/Layers.h"

namespace medulla {
namespace nn = torch::nn;

namespace {

at::Tensor run(nn::AnyModule& m, at::Tensor x) {
    return m.is_empty() ? x : m.forward(x);
}

} // namespace

Convolution dynConv(const UnetBlockOptions& o, int64_t in, int64_t out,
                    const std::vector<int64_t>& kernel, const std::vector<int64_t>& stride,
                    bool bias, bool transposed) {
    const int dims = o.spatial_dims;
    const auto k = perAxis(kernel, dims, "network.kernel_size");
    const auto s = perAxis(stride, dims, "network.strides");
    std::vector<int64_t> pad, outPad;
    for (size_t i = 0; i < size_t(dims); ++i) {
        // MONAI's get_padding: int((k - s + 1) / 2), never negative.
        if (k[i] - s[i] + 1 < 0)
            throw ConfigError("kernel " + std::to_string(k[i]) + " is too small for stride " +
                                  std::to_string(s[i]) + " (negative padding)",
                              {}, "network.kernel_size");
        pad.push_back((k[i] - s[i] + 1) / 2);
        if (transposed) {
            const int64_t op = 2 * pad.back() + s[i] - k[i];
            if (op < 0)
                throw ConfigError("negative output padding", {}, "network.upsample_kernel_size");
            outPad.push_back(op);
        }
    }
    ConvolutionOptions c;
    c.spatial_dims = dims;
    c.in_channels = in;
    c.out_channels = out;
    c.kernel_size = k;
    c.strides = s;
    c.act = LayerSpec();
    c.norm = LayerSpec();
    c.dropout = o.dropout;
    c.bias = bias;
    c.is_transposed = transposed;
    c.padding = pad;
    c.output_padding = outPad;
    return Convolution(c);
}

UnetConvBlockImpl::UnetConvBlockImpl(const UnetBlockOptions& o, bool res) : res_(res) {
    const int dims = o.spatial_dims;
    conv1_ = register_module(
        "conv1", dynConv(o, o.in_channels, o.out_channels, o.kernel_size, o.stride, false, false));
    conv2_ = register_module(
        "conv2", dynConv(o, o.out_channels, o.out_channels, o.kernel_size, {1}, false, false));
    act_ = makeActivation(o.act_name);
    if (!act_.is_empty())
        register_module("lrelu", act_.ptr());
    norm1_ = makeNorm(o.norm_name, dims, o.out_channels);
    norm2_ = makeNorm(o.norm_name, dims, o.out_channels);
    if (!norm1_.is_empty()) {
        register_module("norm1", norm1_.ptr());
        register_module("norm2", norm2_.ptr());
    }
    if (!res)
        return;
    bool down = o.in_channels != o.out_channels;
    for (auto s : o.stride)
        down = down || s != 1;
    if (!down)
        return;
    conv3_ = register_module(
        "conv3", dynConv(o, o.in_channels, o.out_channels, {1}, o.stride, false, false));
    norm3_ = makeNorm(o.norm_name, dims, o.out_channels);
    if (!norm3_.is_empty())
        register_module("norm3", norm3_.ptr());
}

at::Tensor UnetConvBlockImpl::forward(at::Tensor x) {
    at::Tensor out = run(norm1_, conv1_->forward(x));
    out = run(norm2_, conv2_->forward(run(act_, out)));
    if (res_)
        out = out + (conv3_ ? run(norm3_, conv3_->forward(x)) : x);
    return run(act_, out);
}

UnetUpBlockImpl::UnetUpBlockImpl(const UnetBlockOptions& o,
                                 const std::vector<int64_t>& upsampleKernel, bool transBias) {
    transp_ =
        register_module("transp_conv", dynConv(o, o.in_channels, o.out_channels, upsampleKernel,
                                               upsampleKernel, transBias, true));
    UnetBlockOptions b = o;
    b.in_channels = 2 * o.out_channels;
    b.stride = {1};
    block_ = register_module("conv_block", UnetConvBlock(b, false));
}

at::Tensor UnetUpBlockImpl::forward(at::Tensor x, at::Tensor skip) {
    return block_->forward(torch::cat({transp_->forward(x), skip}, 1));
}

} // namespace medulla
