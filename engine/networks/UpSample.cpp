#include "engine/networks/UpSample.h"

#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/networks/Layers.h"

namespace medulla {
namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

F::InterpolateFuncOptions::mode_t interpMode(const std::string& m, int dims,
                                             const std::string& field) {
    if (m == "nearest")
        return torch::kNearest;
    if (m == "linear" || m == "bilinear" || m == "trilinear") {
        // MONAI picks the linear mode by the number of dimensions.
        if (dims == 1)
            return torch::kLinear;
        if (dims == 2)
            return torch::kBilinear;
        return torch::kTrilinear;
    }
    if (m == "bicubic")
        return torch::kBicubic;
    if (m == "area")
        return torch::kArea;
    throw ConfigError("unknown interpolation \"" + m +
                          "\" (known: nearest, linear, bilinear, bicubic, trilinear, area)",
                      {}, field + ".interp_mode");
}

bool interpolating(const std::string& m) {
    return m == "linear" || m == "bilinear" || m == "trilinear" || m == "bicubic";
}

} // namespace

at::Tensor pixelShuffle(const at::Tensor& x, int dims, int64_t s) {
    const auto in = x.sizes().vec();
    int64_t div = 1;
    for (int i = 0; i < dims; ++i)
        div *= s;
    if (in[1] % div != 0)
        throw ShapeError("pixel shuffle needs channels divisible by " + std::to_string(div) +
                             ", got " + std::to_string(in[1]),
                         {}, "pixelshuffle");
    std::vector<int64_t> shape{in[0], in[1] / div};
    std::vector<int64_t> out{in[0], in[1] / div};
    for (int i = 0; i < dims; ++i)
        shape.push_back(s);
    for (int i = 0; i < dims; ++i) {
        shape.push_back(in[size_t(2 + i)]);
        out.push_back(in[size_t(2 + i)] * s);
    }
    // (B, C, s_1..s_d, n_1..n_d) -> (B, C, n_1, s_1, n_2, s_2, ...)
    std::vector<int64_t> perm{0, 1};
    for (int i = 0; i < dims; ++i) {
        perm.push_back(2 + dims + i);
        perm.push_back(2 + i);
    }
    return x.reshape(shape).permute(perm).reshape(out);
}

void icnrInit(at::Tensor weight, int64_t scale) {
    torch::NoGradGuard guard;
    const auto w = weight.sizes().vec();
    const int64_t outC = w[0], inC = w[1];
    std::vector<int64_t> k(w.begin() + 2, w.end());
    int64_t factor = 1;
    for (size_t i = 0; i < k.size(); ++i)
        factor *= scale;
    std::vector<int64_t> shape{outC / factor, inC};
    shape.insert(shape.end(), k.begin(), k.end());
    at::Tensor kernel = torch::zeros(shape, weight.options());
    nn::init::kaiming_normal_(kernel);
    kernel = kernel.transpose(0, 1).reshape({outC / factor, inC, -1}).repeat({1, 1, factor});
    std::vector<int64_t> back{inC, outC};
    back.insert(back.end(), k.begin(), k.end());
    weight.copy_(kernel.reshape(back).transpose(0, 1));
}

SubpixelUpsampleImpl::SubpixelUpsampleImpl(int dims, int64_t in, int64_t out, int64_t scale,
                                           bool defaultConv, bool applyPadPool, bool bias)
    : dims_(dims), scale_(scale), padPool_(applyPadPool) {
    if (scale <= 0)
        throw ConfigError("scale factor must be > 0", {}, "pixelshuffle.scale_factor");
    if (defaultConv) {
        const int64_t o = out > 0 ? out : in;
        if (o < 1)
            throw ConfigError("needs in_channels", {}, "pixelshuffle.in_channels");
        int64_t f = 1;
        for (int i = 0; i < dims; ++i)
            f *= scale;
        ConvSpec c;
        c.spatial_dims = dims;
        c.in_channels = in;
        c.out_channels = o * f;
        c.kernel_size = {3};
        c.padding = {1};
        c.bias = bias;
        conv_ = makeConv(c);
        register_module("conv_block", conv_.ptr());
        icnrInit(conv_.ptr()->named_parameters(false)["weight"], scale);
    }
}

at::Tensor SubpixelUpsampleImpl::forward(at::Tensor x) {
    if (!conv_.is_empty())
        x = conv_.forward(x);
    x = pixelShuffle(x, dims_, scale_);
    if (padPool_ && scale_ > 1) {
        std::vector<int64_t> pad;
        for (int i = 0; i < dims_; ++i) {
            pad.push_back(scale_ - 1);
            pad.push_back(0);
        }
        x = F::pad(x, F::PadFuncOptions(pad).value(0.0));
        if (dims_ == 1)
            x = torch::avg_pool1d(x, {scale_}, {1});
        else if (dims_ == 2)
            x = torch::avg_pool2d(x, {scale_, scale_}, {1, 1});
        else
            x = torch::avg_pool3d(x, {scale_, scale_, scale_}, {1, 1, 1});
    }
    return x;
}

UpSampleImpl::UpSampleImpl(const UpSampleOptions& o, const std::string& field) {
    checkSpatialDims(o.spatial_dims, field + ".spatial_dims");
    const int dims = o.spatial_dims;
    const auto scale = perAxis(o.scale_factor, dims, field + ".scale_factor");
    for (auto s : scale)
        if (s < 1)
            throw ConfigError("must be >= 1", {}, field + ".scale_factor");
    std::vector<int64_t> kernel = scale, padding(size_t(dims), 0), outPad(size_t(dims), 0);
    if (!o.kernel_size.empty()) {
        kernel = perAxis(o.kernel_size, dims, field + ".kernel_size");
        for (size_t i = 0; i < size_t(dims); ++i) {
            padding[i] = (kernel[i] - 1) / 2;
            outPad[i] = scale[i] - 1 - (kernel[i] - 1) % 2;
        }
    }
    const std::string& m = o.mode;
    if (m == "deconv" || m == "deconvgroup") {
        if (o.in_channels < 1)
            throw ConfigError("in_channels is needed in the " + m + " mode", {}, field);
        ConvSpec c;
        c.spatial_dims = dims;
        c.in_channels = o.in_channels;
        c.out_channels = o.out_channels > 0 ? o.out_channels : o.in_channels;
        c.kernel_size = kernel;
        c.stride = scale;
        c.padding = padding;
        c.output_padding = outPad;
        c.bias = o.bias;
        c.transposed = true;
        if (m == "deconvgroup")
            c.groups = o.in_channels % c.out_channels == 0 ? c.out_channels : 1;
        push_back(m, makeConv(c));
    } else if (m == "nontrainable") {
        if (o.out_channels != o.in_channels) {
            if (!o.default_pre_conv)
                throw ConfigError("without pre_conv, out_channels must equal in_channels", {},
                                  field);
            if (o.in_channels < 1)
                throw ConfigError("in_channels is needed in the nontrainable mode", {}, field);
            ConvSpec c;
            c.spatial_dims = dims;
            c.in_channels = o.in_channels;
            c.out_channels = o.out_channels > 0 ? o.out_channels : o.in_channels;
            c.kernel_size = {1};
            c.bias = o.bias;
            push_back("preconv", makeConv(c));
        }
        auto opts = F::InterpolateFuncOptions()
                        .scale_factor(std::vector<double>(scale.begin(), scale.end()))
                        .mode(interpMode(o.interp_mode, dims, field));
        if (o.align_corners && interpolating(o.interp_mode))
            opts.align_corners(*o.align_corners);
        push_back("upsample_non_trainable",
                  nn::Functional([opts](at::Tensor x) { return F::interpolate(x, opts); }));
    } else if (m == "pixelshuffle") {
        push_back("pixelshuffle", SubpixelUpsample(dims, o.in_channels, o.out_channels, scale[0],
                                                   o.default_pre_conv, o.apply_pad_pool, o.bias));
    } else {
        throw ConfigError("unknown upsample mode \"" + m +
                              "\" (known: deconv, deconvgroup, nontrainable, pixelshuffle)",
                          {}, field);
    }
}

} // namespace medulla
