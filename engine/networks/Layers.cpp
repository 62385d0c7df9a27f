#include "engine/networks/Layers.h"

#include <torch/torch.h>

#include <algorithm>

#include "engine/core/Error.h"

namespace medulla {
namespace nn = torch::nn;

namespace {
std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}
} // namespace

nn::AnyModule makeActivation(const std::string& name) {
    const std::string n = lower(name);
    if (n == "prelu")
        return nn::AnyModule(nn::PReLU(nn::PReLUOptions().num_parameters(1).init(0.25)));
    if (n == "relu")
        return nn::AnyModule(nn::ReLU());
    if (n == "leakyrelu")
        return nn::AnyModule(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.01)));
    if (n == "elu")
        return nn::AnyModule(nn::ELU());
    if (n == "gelu")
        return nn::AnyModule(nn::GELU());
    if (n == "tanh")
        return nn::AnyModule(nn::Tanh());
    if (n == "sigmoid")
        return nn::AnyModule(nn::Sigmoid());
    throw ConfigError("unknown activation \"" + name +
                          "\" (known: prelu, relu, leakyrelu, elu, gelu, tanh, sigmoid)",
                      {}, "act");
}

nn::AnyModule makeNorm(const std::string& name, int dims, int64_t channels) {
    const std::string n = lower(name);
    if (n == "none" || n.empty())
        return {};
    if (n == "batch") {
        if (dims == 2)
            return nn::AnyModule(nn::BatchNorm2d(channels));
        return nn::AnyModule(nn::BatchNorm3d(channels));
    }
    if (n == "instance") {
        if (dims == 2)
            return nn::AnyModule(nn::InstanceNorm2d(nn::InstanceNorm2dOptions(channels)));
        return nn::AnyModule(nn::InstanceNorm3d(nn::InstanceNorm3dOptions(channels)));
    }
    throw ConfigError("unknown normalisation \"" + name + "\" (known: batch, instance, none)", {},
                      "norm");
}

nn::AnyModule makeConv(int dims, int64_t in, int64_t out, int64_t k, int64_t stride,
                       bool transposed, bool bias, int64_t padding) {
    const int64_t pad = padding >= 0 ? padding : (k - 1) / 2;
    if (dims != 2 && dims != 3)
        throw ConfigError("must be 2 or 3", {}, "spatial_dims");
    if (transposed) {
        if (dims == 2)
            return nn::AnyModule(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, out, k)
                                                         .stride(stride)
                                                         .padding(pad)
                                                         .output_padding(stride - 1)
                                                         .bias(bias)));
        return nn::AnyModule(nn::ConvTranspose3d(nn::ConvTranspose3dOptions(in, out, k)
                                                     .stride(stride)
                                                     .padding(pad)
                                                     .output_padding(stride - 1)
                                                     .bias(bias)));
    }
    if (dims == 2)
        return nn::AnyModule(
            nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(pad).bias(bias)));
    return nn::AnyModule(
        nn::Conv3d(nn::Conv3dOptions(in, out, k).stride(stride).padding(pad).bias(bias)));
}

} // namespace medulla
