#include "engine/networks/Generator.h"

#include <torch/torch.h>

#include "engine/networks/Convolution.h"
#include "engine/networks/Layers.h"
#include "engine/networks/NetworkParams.h"
#include "engine/networks/ResidualUnit.h"

namespace medulla {
namespace nn = torch::nn;

GeneratorImpl::GeneratorImpl(GeneratorOptions o) : options_(std::move(o)) {
    const auto& start = options_.start_shape();
    const auto& ch = options_.channels();
    const auto& st = options_.strides();
    if (options_.latent_shape().empty())
        throw ConfigError("needs at least one value", {}, "network.latent_shape");
    checkAllPositive(options_.latent_shape(), "network.latent_shape");
    if (start.size() < 2 || start.size() > 4)
        throw ConfigError("needs channels and 1 to 3 spatial sizes, got " +
                              std::to_string(start.size()) + " values",
                          {}, "network.start_shape");
    checkAllPositive(start, "network.start_shape");
    checkChannelsAndStrides(ch, st);
    if (options_.num_res_units() < 0)
        throw ConfigError("must be >= 0", {}, "network.num_res_units");
    const int dims = int(start.size()) - 1;
    const auto kernel = perAxis(options_.kernel_size(), dims, "network.kernel_size");
    checkOddKernel(kernel, "network.kernel_size");

    linear_ =
        register_module("linear", nn::Linear(product(options_.latent_shape()), product(start)));
    conv_ = Sequence();
    int64_t echannel = start[0];
    for (size_t i = 0; i < ch.size(); ++i) {
        const bool isLast = i + 1 == ch.size();
        ConvolutionOptions c =
            convolutionOptions(dims, echannel, ch[i], st[i], kernel, options_.act(),
                               options_.norm(), options_.dropout(), options_.bias());
        c.is_transposed = true;
        c.conv_only = isLast || options_.num_res_units() > 0;
        const std::string name = "layer_" + std::to_string(i);
        if (options_.num_res_units() > 0) {
            ConvolutionOptions r = c;
            r.in_channels = ch[i];
            r.strides = {1};
            r.is_transposed = false;
            r.conv_only = false;
            Sequence seq;
            seq->push_back(Convolution(c));
            seq->push_back(ResidualUnit(ResidualUnitOptions{r, options_.num_res_units(), isLast}));
            conv_->push_back(std::string(name), seq);
        } else {
            conv_->push_back(std::string(name), Convolution(c));
        }
        echannel = ch[i];
    }
    register_module("conv", conv_);
}

at::Tensor GeneratorImpl::forward(at::Tensor x) {
    x = linear_->forward(x.flatten(1));
    std::vector<int64_t> shape{x.size(0)};
    shape.insert(shape.end(), options_.start_shape().begin(), options_.start_shape().end());
    return conv_->forward(x.reshape(shape));
}

ComponentInfo GeneratorImpl::info() {
    return {
        "Generator",
        "network",
        "MONAI's Generator: latent vector -> linear -> transposed conv blocks (GANs).",
        {{"latent_shape",
          ParamType::IntList,
          Json{42, 24},
          1,
          1e6,
          {},
          "latent input shape without the batch axis"},
         {"start_shape",
          ParamType::IntList,
          Json{64, 8, 8},
          1,
          1e6,
          {},
          "channels and spatial sizes of the first convolution's input"},
         {"channels", ParamType::IntList, Json{32, 16, 1}, 1, 1e5, {}, "output channels per block"},
         {"strides", ParamType::IntList, Json{2, 2, 2}, 1, 16, {}, "up-sampling stride per block"},
         {"kernel_size", ParamType::IntList, 3, 1, 15, {}, "convolution kernel (odd)"},
         {"num_res_units", ParamType::Int, 2, 0, 16, {}, "residual sub-units per block (0: none)"},
         layerParam("act", "prelu", "activation: name or [name, {arguments}]"),
         layerParam("norm", "instance", "normalisation: name or [name, {arguments}]"),
         dropoutParam(nullptr),
         {"bias", ParamType::Bool, true, 0, 1, {}, "convolution bias"}}};
}

std::shared_ptr<Network> GeneratorImpl::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<GeneratorImpl>(GeneratorOptions()
                                               .latent_shape(r.intList("latent_shape"))
                                               .start_shape(r.intList("start_shape"))
                                               .channels(r.intList("channels"))
                                               .strides(r.intList("strides"))
                                               .kernel_size(r.intList("kernel_size"))
                                               .num_res_units(r.integer("num_res_units"))
                                               .act(readLayer(r, "act"))
                                               .norm(readLayer(r, "norm"))
                                               .dropout(readLayer(r, "dropout"))
                                               .bias(r.boolean("bias")));
}

Json GeneratorImpl::toJson() const {
    const auto& o = options_;
    const auto& k = o.kernel_size();
    return {{"name", "Generator"},
            {"latent_shape", o.latent_shape()},
            {"start_shape", o.start_shape()},
            {"channels", o.channels()},
            {"strides", o.strides()},
            {"kernel_size", k.size() == 1 ? Json(k[0]) : Json(k)},
            {"num_res_units", o.num_res_units()},
            {"act", o.act().toJson()},
            {"norm", o.norm().toJson()},
            {"dropout", o.dropout().toJson()},
            {"bias", o.bias()}};
}

} // namespace medulla
