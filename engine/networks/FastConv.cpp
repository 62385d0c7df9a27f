#include "engine/networks/FastConv.h"

#include <ATen/Context.h>
#include <torch/torch.h>

namespace medulla {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

std::vector<int64_t> spatialSizes(const at::Tensor& t) {
    return t.sizes().slice(2).vec();
}

/// Keep the first `k` entries of every spatial axis of a 5-D tensor.
at::Tensor cropTo(at::Tensor t, at::IntArrayRef k) {
    for (int64_t d = 0; d < 3; ++d)
        if (t.size(d + 2) != k[size_t(d)])
            t = t.narrow(d + 2, 0, k[size_t(d)]);
    return t;
}

struct FastConvFunction : public torch::autograd::Function<FastConvFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w,
                              const at::Tensor& b, std::vector<int64_t> stride,
                              std::vector<int64_t> padding, bool transposed,
                              std::vector<int64_t> outputPadding) {
        ctx->save_for_backward({x, w});
        ctx->saved_data["stride"] = stride;
        ctx->saved_data["padding"] = padding;
        ctx->saved_data["transposed"] = transposed;
        ctx->saved_data["output_padding"] = outputPadding;
        const bool hasBias = b.numel() > 0; // an empty tensor stands for "no bias"
        ctx->saved_data["bias"] = hasBias;
        return at::convolution(x, w, hasBias ? b : at::Tensor(), stride, padding, {1, 1, 1},
                               transposed, outputPadding, 1);
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const at::Tensor& x = saved[0];
        const at::Tensor& w = saved[1];
        const at::Tensor g = grads[0].contiguous(x.suggest_memory_format());
        const auto stride = ctx->saved_data["stride"].toIntVector();
        const auto padding = ctx->saved_data["padding"].toIntVector();
        const bool transposed = ctx->saved_data["transposed"].toBool();
        const auto outputPadding = ctx->saved_data["output_padding"].toIntVector();
        const bool hasBias = ctx->saved_data["bias"].toBool();
        const auto k = spatialSizes(w);
        const bool unitStride = stride == std::vector<int64_t>{1, 1, 1};

        at::Tensor gx, gw, gb;
        if (ctx->needs_input_grad(0)) {
            if (transposed) {
                // y = convT(x, w)  =>  dL/dx = conv(g, w) with the same stride.
                gx = at::convolution(g, w, {}, stride, padding, {1, 1, 1}, false, {0, 0, 0}, 1);
            } else if (unitStride && padding[0] < k[0] && padding[1] < k[1] && padding[2] < k[2]) {
                std::vector<int64_t> pad;
                for (size_t d = 0; d < 3; ++d)
                    pad.push_back(k[d] - 1 - padding[d]);
                const at::Tensor wt =
                    w.flip({2, 3, 4}).transpose(0, 1).contiguous(w.suggest_memory_format());
                gx = at::convolution(g, wt, {}, {1, 1, 1}, pad, {1, 1, 1}, false, {0, 0, 0}, 1);
            } else {
                gx = std::get<0>(at::convolution_backward(g, x, w, c10::nullopt, stride, padding,
                                                          {1, 1, 1}, false, outputPadding, 1,
                                                          {true, false, false}));
            }
        }
        if (ctx->needs_input_grad(1)) {
            // Batch and channels swapped: every (out, in) channel pair becomes
            // one output value per kernel offset.
            const at::Tensor xs = x.transpose(0, 1);
            const at::Tensor gs = g.transpose(0, 1);
            if (transposed) // w: (Cin, Cout, k); gpad[k + s*i] . x[i]
                gw = at::convolution(gs, xs, {}, {1, 1, 1}, padding, stride, false, {0, 0, 0}, 1);
            else // w: (Cout, Cin, k); xpad[k + s*i] . g[i]
                gw = at::convolution(xs, gs, {}, {1, 1, 1}, padding, stride, false, {0, 0, 0}, 1);
            gw = cropTo(gw, k).transpose(0, 1).contiguous(w.suggest_memory_format());
        }
        if (hasBias && ctx->needs_input_grad(2))
            gb = g.sum({0, 2, 3, 4});
        return {gx, gw, gb, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

/// The fast path needs 5-D float CPU tensors and oneDNN.
bool useFastPath(const at::Tensor& x, int64_t groups, at::IntArrayRef dilation) {
    return x.dim() == 5 && x.is_cpu() &&
           (x.scalar_type() == at::kFloat || x.scalar_type() == at::kDouble) && groups == 1 &&
           dilation == at::IntArrayRef{1, 1, 1} && at::hasMKLDNN() &&
           at::globalContext().userEnabledMkldnn() && at::GradMode::is_enabled();
}

} // namespace

at::Tensor fastConvolution(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b,
                           at::IntArrayRef stride, at::IntArrayRef padding, bool transposed,
                           at::IntArrayRef outputPadding) {
    // LibTorch 1.13's Function::apply needs defined tensors: an empty one
    // means no bias.
    const at::Tensor bias = b.defined() ? b : at::empty({0}, x.options());
    return FastConvFunction::apply(x, w, bias, stride.vec(), padding.vec(), transposed,
                                   outputPadding.vec());
}

at::Tensor FastConv3dImpl::forward(const at::Tensor& x) {
    const auto& o = options;
    const bool zeros = c10::holds_alternative<torch::enumtype::kZeros>(o.padding_mode());
    const auto* pad = c10::get_if<torch::ExpandingArray<3>>(&o.padding());
    if (!zeros || !pad || !useFastPath(x, o.groups(), *o.dilation()))
        return torch::nn::Conv3dImpl::forward(x);
    return fastConvolution(x, weight, bias, *o.stride(), **pad, false, {0, 0, 0});
}

at::Tensor FastConvTranspose3dImpl::forward(const at::Tensor& x) {
    const auto& o = options;
    const auto* pad = c10::get_if<torch::ExpandingArray<3>>(&o.padding());
    if (!pad || !useFastPath(x, o.groups(), *o.dilation()))
        return torch::nn::ConvTranspose3dImpl::forward(x);
    return fastConvolution(x, weight, bias, *o.stride(), **pad, true, *o.output_padding());
}

} // namespace medulla
