#include "engine/networks/Layers.h"

#include <torch/torch.h>

#include <mutex>

#include "engine/core/Error.h"
#include "engine/networks/FastConv.h"

namespace medulla {
namespace nn = torch::nn;

namespace {

std::mutex g_syncFactoryMutex;
SyncBatchNormFactory g_syncFactory; // guarded by g_syncFactoryMutex

template <size_t D> torch::ExpandingArray<D> arr(const std::vector<int64_t>& v) {
    return torch::ExpandingArray<D>(at::IntArrayRef(v));
}

/// Picks the 1-, 2- or 3-D module type.
template <class M1, class M2, class M3, class Make> nn::AnyModule byDims(int dims, Make make) {
    switch (dims) {
    case 1:
        return nn::AnyModule(make(static_cast<M1*>(nullptr)));
    case 2:
        return nn::AnyModule(make(static_cast<M2*>(nullptr)));
    default:
        return nn::AnyModule(make(static_cast<M3*>(nullptr)));
    }
}

template <size_t D> nn::AnyModule convD(const ConvSpec& s) {
    const auto k = perAxis(s.kernel_size, D, "kernel_size");
    const auto st = perAxis(s.stride, D, "strides");
    const auto dil = perAxis(s.dilation, D, "dilation");
    const auto pad = s.padding.empty() ? samePadding(k, dil, D) : perAxis(s.padding, D, "padding");
    if (s.transposed) {
        std::vector<int64_t> op = s.output_padding;
        if (op.empty())
            for (auto v : st)
                op.push_back(v - 1);
        auto o = nn::ConvTransposeOptions<D>(s.in_channels, s.out_channels, arr<D>(k))
                     .stride(arr<D>(st))
                     .padding(arr<D>(pad))
                     .output_padding(arr<D>(perAxis(op, D, "output_padding")))
                     .dilation(arr<D>(dil))
                     .groups(s.groups)
                     .bias(s.bias);
        if constexpr (D == 1)
            return nn::AnyModule(nn::ConvTranspose1d(o));
        else if constexpr (D == 2)
            return nn::AnyModule(nn::ConvTranspose2d(o));
        else // gradients as forward convolutions on CPU (FastConv.h)
            return nn::AnyModule(FastConvTranspose3d(o));
    }
    auto o = nn::ConvOptions<D>(s.in_channels, s.out_channels, arr<D>(k))
                 .stride(arr<D>(st))
                 .padding(arr<D>(pad))
                 .dilation(arr<D>(dil))
                 .groups(s.groups)
                 .bias(s.bias);
    if constexpr (D == 1)
        return nn::AnyModule(nn::Conv1d(o));
    else if constexpr (D == 2)
        return nn::AnyModule(nn::Conv2d(o));
    else
        return nn::AnyModule(FastConv3d(o));
}

template <size_t D> nn::AnyModule poolD(const LayerSpec& s) {
    auto ints = [&](const char* key, std::vector<int64_t> fallback) {
        if (!s.has(key))
            return perAxis(fallback, D, s.name + "." + key);
        const auto& v = s.args[key];
        std::vector<int64_t> out =
            v.is_array() ? v.get<std::vector<int64_t>>() : std::vector<int64_t>{v.get<int64_t>()};
        return perAxis(out, D, s.name + "." + key);
    };
    if (s.name == "max" || s.name == "avg") {
        if (!s.has("kernel_size"))
            throw ConfigError("needs kernel_size", {}, s.name);
        const auto k = ints("kernel_size", {1});
        const auto st = s.has("stride") ? ints("stride", {1}) : k;
        const auto pad = ints("padding", {0});
        const bool ceil = s.flag("ceil_mode", false);
        if (s.name == "max") {
            auto o = nn::MaxPoolOptions<D>(arr<D>(k))
                         .stride(arr<D>(st))
                         .padding(arr<D>(pad))
                         .ceil_mode(ceil);
            if constexpr (D == 1)
                return nn::AnyModule(nn::MaxPool1d(o));
            else if constexpr (D == 2)
                return nn::AnyModule(nn::MaxPool2d(o));
            else
                return nn::AnyModule(nn::MaxPool3d(o));
        }
        auto o = nn::AvgPoolOptions<D>(arr<D>(k))
                     .stride(arr<D>(st))
                     .padding(arr<D>(pad))
                     .ceil_mode(ceil)
                     .count_include_pad(s.flag("count_include_pad", true));
        if constexpr (D == 1)
            return nn::AnyModule(nn::AvgPool1d(o));
        else if constexpr (D == 2)
            return nn::AnyModule(nn::AvgPool2d(o));
        else
            return nn::AnyModule(nn::AvgPool3d(o));
    }
    const auto out = ints("output_size", {1});
    if (s.name == "adaptiveavg") {
        if constexpr (D == 1)
            return nn::AnyModule(nn::AdaptiveAvgPool1d(out[0]));
        else if constexpr (D == 2)
            return nn::AnyModule(
                nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({out[0], out[1]})));
        else
            return nn::AnyModule(
                nn::AdaptiveAvgPool3d(nn::AdaptiveAvgPool3dOptions({out[0], out[1], out[2]})));
    }
    if (s.name == "adaptivemax") {
        if constexpr (D == 1)
            return nn::AnyModule(nn::AdaptiveMaxPool1d(out[0]));
        else if constexpr (D == 2)
            return nn::AnyModule(
                nn::AdaptiveMaxPool2d(nn::AdaptiveMaxPool2dOptions({out[0], out[1]})));
        else
            return nn::AnyModule(
                nn::AdaptiveMaxPool3d(nn::AdaptiveMaxPool3dOptions({out[0], out[1], out[2]})));
    }
    throw ConfigError("unknown pooling \"" + s.name +
                          "\" (known: max, avg, adaptivemax, adaptiveavg)",
                      {}, "pool");
}

} // namespace

void checkSpatialDims(int64_t dims, const std::string& field) {
    if (dims < 1 || dims > 3)
        throw ConfigError("must be 1, 2 or 3, got " + std::to_string(dims), {}, field);
}

std::vector<int64_t> perAxis(const std::vector<int64_t>& v, int dims, const std::string& field) {
    if (v.size() == 1)
        return std::vector<int64_t>(size_t(dims), v[0]);
    if (v.size() != size_t(dims))
        throw ConfigError("needs 1 or " + std::to_string(dims) + " values, got " +
                              std::to_string(v.size()),
                          {}, field);
    return v;
}

std::vector<int64_t> samePadding(const std::vector<int64_t>& kernel,
                                 const std::vector<int64_t>& dilation, int dims) {
    const auto k = perAxis(kernel, dims, "kernel_size");
    const auto d = perAxis(dilation, dims, "dilation");
    std::vector<int64_t> p;
    for (int i = 0; i < dims; ++i) {
        if (((k[size_t(i)] - 1) * d[size_t(i)]) % 2 != 0)
            throw ConfigError("same padding needs an odd kernel (got " +
                                  std::to_string(k[size_t(i)]) + ")",
                              {}, "kernel_size");
        p.push_back((k[size_t(i)] - 1) / 2 * d[size_t(i)]);
    }
    return p;
}

nn::AnyModule makeActivation(const LayerSpec& s) {
    const std::string& n = s.name;
    if (n.empty())
        return {};
    if (n == "prelu")
        return nn::AnyModule(nn::PReLU(nn::PReLUOptions()
                                           .num_parameters(s.integer("num_parameters", 1))
                                           .init(s.number("init", 0.25))));
    if (n == "relu")
        return nn::AnyModule(nn::ReLU());
    if (n == "leakyrelu")
        return nn::AnyModule(
            nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(s.number("negative_slope", 0.01))));
    if (n == "elu")
        return nn::AnyModule(nn::ELU(nn::ELUOptions().alpha(s.number("alpha", 1.0))));
    if (n == "celu")
        return nn::AnyModule(nn::CELU(nn::CELUOptions().alpha(s.number("alpha", 1.0))));
    if (n == "relu6")
        return nn::AnyModule(nn::ReLU6());
    if (n == "selu")
        return nn::AnyModule(nn::SELU());
    if (n == "gelu")
        return nn::AnyModule(nn::GELU());
    if (n == "tanh")
        return nn::AnyModule(nn::Tanh());
    if (n == "sigmoid")
        return nn::AnyModule(nn::Sigmoid());
    if (n == "softmax")
        return nn::AnyModule(nn::Softmax(s.integer("dim", 1)));
    if (n == "logsoftmax")
        return nn::AnyModule(nn::LogSoftmax(s.integer("dim", 1)));
    if (n == "swish" || n == "memswish") {
        const double alpha = s.number("alpha", 1.0);
        return nn::AnyModule(
            nn::Functional([alpha](at::Tensor x) { return x * torch::sigmoid(alpha * x); }));
    }
    if (n == "mish")
        return nn::AnyModule(nn::Functional(
            [](at::Tensor x) { return x * torch::tanh(torch::nn::functional::softplus(x)); }));
    throw ConfigError("unknown activation \"" + n +
                          "\" (known: elu, relu, leakyrelu, prelu, relu6, selu, celu, gelu, "
                          "sigmoid, tanh, softmax, logsoftmax, swish, memswish, mish)",
                      {}, "act");
}

void setSyncBatchNormFactory(SyncBatchNormFactory factory) {
    std::lock_guard<std::mutex> lock(g_syncFactoryMutex);
    g_syncFactory = std::move(factory);
}

nn::AnyModule makeNorm(const LayerSpec& s, int dims, int64_t channels) {
    const std::string& n = s.name;
    checkSpatialDims(dims, "norm");
    if (n.empty())
        return {};
    if (n == "batch" || n == "syncbatch") {
        auto o = nn::BatchNormOptions(s.integer("num_features", channels))
                     .eps(s.number("eps", 1e-5))
                     .momentum(s.number("momentum", 0.1))
                     .affine(s.flag("affine", true))
                     .track_running_stats(s.flag("track_running_stats", true));
        if (n == "syncbatch") {
            std::lock_guard<std::mutex> lock(g_syncFactoryMutex);
            if (g_syncFactory)
                return g_syncFactory(o, dims);
        }
        return byDims<nn::BatchNorm1d, nn::BatchNorm2d, nn::BatchNorm3d>(
            dims, [&](auto* t) { return std::remove_pointer_t<decltype(t)>(o); });
    }
    if (n == "instance" || n == "instance_nvfuser") {
        auto o = nn::InstanceNormOptions(s.integer("num_features", channels))
                     .eps(s.number("eps", 1e-5))
                     .momentum(s.number("momentum", 0.1))
                     .affine(s.flag("affine", false))
                     .track_running_stats(s.flag("track_running_stats", false));
        return byDims<nn::InstanceNorm1d, nn::InstanceNorm2d, nn::InstanceNorm3d>(
            dims, [&](auto* t) { return std::remove_pointer_t<decltype(t)>(o); });
    }
    if (n == "group") {
        if (!s.has("num_groups"))
            throw ConfigError("group norm needs num_groups, e.g. [\"group\", {\"num_groups\": 8}]",
                              {}, "norm");
        const int64_t groups = s.integer("num_groups", 1);
        const int64_t ch = s.integer("num_channels", channels);
        if (groups < 1 || ch % groups != 0)
            throw ConfigError(std::to_string(ch) + " channels are not divisible into " +
                                  std::to_string(groups) + " groups",
                              {}, "norm.num_groups");
        return nn::AnyModule(nn::GroupNorm(nn::GroupNormOptions(groups, ch)
                                               .eps(s.number("eps", 1e-5))
                                               .affine(s.flag("affine", true))));
    }
    if (n == "layer") {
        // As in PyTorch, the normalised trailing shape must be given.
        if (!s.has("normalized_shape"))
            throw ConfigError("layer norm needs normalized_shape (the trailing sizes), e.g. "
                              "[\"layer\", {\"normalized_shape\": [16, 16, 16]}]",
                              {}, "norm");
        const auto& v = s.args["normalized_shape"];
        const std::vector<int64_t> shape =
            v.is_array() ? v.get<std::vector<int64_t>>() : std::vector<int64_t>{v.get<int64_t>()};
        return nn::AnyModule(
            nn::LayerNorm(nn::LayerNormOptions(shape)
                              .eps(s.number("eps", 1e-5))
                              .elementwise_affine(s.flag("elementwise_affine", true))));
    }
    if (n == "localresponse")
        return nn::AnyModule(
            nn::LocalResponseNorm(nn::LocalResponseNormOptions(s.integer("size", 5))
                                      .alpha(s.number("alpha", 1e-4))
                                      .beta(s.number("beta", 0.75))
                                      .k(s.number("k", 1.0))));
    throw ConfigError("unknown normalisation \"" + n +
                          "\" (known: batch, syncbatch, instance, instance_nvfuser, group, "
                          "layer, localresponse, none)",
                      {}, "norm");
}

nn::AnyModule makeDropout(const LayerSpec& s, int dropoutDim) {
    if (s.none())
        return {};
    const double p = s.number("p", 0.5);
    if (!(p >= 0 && p <= 1))
        throw ConfigError("dropout probability must be in [0, 1], got " + std::to_string(p), {},
                          "dropout");
    if (s.name == "alphadropout")
        return nn::AnyModule(nn::AlphaDropout(nn::AlphaDropoutOptions(p)));
    if (s.name != "dropout")
        throw ConfigError("unknown dropout \"" + s.name + "\" (known: dropout, alphadropout)", {},
                          "dropout");
    if (dropoutDim == 2)
        return nn::AnyModule(nn::Dropout2d(nn::Dropout2dOptions(p)));
    if (dropoutDim == 3)
        return nn::AnyModule(nn::Dropout3d(nn::Dropout3dOptions(p)));
    if (dropoutDim != 1)
        throw ConfigError("must be 1, 2 or 3", {}, "dropout_dim");
    return nn::AnyModule(nn::Dropout(nn::DropoutOptions(p)));
}

nn::AnyModule makePool(const LayerSpec& s, int dims) {
    checkSpatialDims(dims, "pool");
    if (dims == 1)
        return poolD<1>(s);
    if (dims == 2)
        return poolD<2>(s);
    return poolD<3>(s);
}

nn::AnyModule makeConv(const ConvSpec& s) {
    checkSpatialDims(s.spatial_dims, "spatial_dims");
    if (s.in_channels < 1 || s.out_channels < 1)
        throw ConfigError("convolution channels must be >= 1", {}, "channels");
    if (s.groups < 1 || s.in_channels % s.groups || s.out_channels % s.groups)
        throw ConfigError("channels must be divisible by groups", {}, "groups");
    if (s.spatial_dims == 1)
        return convD<1>(s);
    if (s.spatial_dims == 2)
        return convD<2>(s);
    return convD<3>(s);
}

} // namespace medulla
