#include "engine/networks/UNet.h"

#include <torch/torch.h>

#include "engine/networks/Layers.h"
#include "engine/networks/NetworkParams.h"
#include "engine/networks/ResidualUnit.h"
#include "engine/networks/SkipConnection.h"

namespace medulla {
namespace nn = torch::nn;

UNetImpl::UNetImpl(UNetOptions o) : options_(std::move(o)) {
    const auto& ch = options_.channels();
    const auto& st = options_.strides();
    checkSpatialDims(options_.spatial_dims(), "network.spatial_dims");
    if (ch.size() < 2)
        throw ConfigError("needs at least 2 levels", {}, "network.channels");
    if (st.size() != ch.size() - 1)
        throw ConfigError("needs len(channels) - 1 = " + std::to_string(ch.size() - 1) +
                              " values, got " + std::to_string(st.size()),
                          {}, "network.strides");
    checkAllPositive(ch, "network.channels");
    checkAllPositive(st, "network.strides");
    if (options_.in_channels() < 1 || options_.out_channels() < 1)
        throw ConfigError("must be >= 1", {}, "network.in_channels/out_channels");
    const int dims = int(options_.spatial_dims());
    perAxis(options_.kernel_size(), dims, "network.kernel_size");
    perAxis(options_.up_kernel_size(), dims, "network.up_kernel_size");
    model_ = register_module(
        "model",
        createBlock(options_.in_channels(), options_.out_channels(), 0, true).get<Sequence>());
}

nn::AnyModule UNetImpl::createBlock(int64_t in, int64_t out, size_t level, bool isTop) {
    const auto& ch = options_.channels();
    const int64_t c = ch[level];
    const int64_t s = options_.strides()[level];
    nn::AnyModule sub;
    int64_t upc;
    if (ch.size() - level > 2) {
        sub = createBlock(c, c, level + 1, false);
        upc = c * 2;
    } else {
        sub = downLayer(c, ch[level + 1], 1); // bottom layer
        upc = c + ch[level + 1];
    }
    Sequence block;
    block->push_back(downLayer(in, c, s));
    block->push_back(SkipConnection(sub));
    block->push_back(upLayer(upc, out, s, isTop));
    return nn::AnyModule(block);
}

ConvolutionOptions UNetImpl::convOptions(int64_t in, int64_t out, int64_t stride,
                                         const std::vector<int64_t>& kernel) const {
    ConvolutionOptions c =
        convolutionOptions(int(options_.spatial_dims()), in, out, stride, kernel, options_.act(),
                           options_.norm(), options_.dropout(), options_.bias());
    c.adn_ordering = options_.adn_ordering();
    return c;
}

nn::AnyModule UNetImpl::downLayer(int64_t in, int64_t out, int64_t stride) {
    const ConvolutionOptions c = convOptions(in, out, stride, options_.kernel_size());
    if (options_.num_res_units() > 0)
        return nn::AnyModule(ResidualUnit(ResidualUnitOptions{c, options_.num_res_units(), false}));
    return nn::AnyModule(Convolution(c));
}

nn::AnyModule UNetImpl::upLayer(int64_t in, int64_t out, int64_t stride, bool isTop) {
    ConvolutionOptions c = convOptions(in, out, stride, options_.up_kernel_size());
    c.conv_only = isTop && options_.num_res_units() == 0;
    c.is_transposed = true;
    Convolution conv(c);
    if (options_.num_res_units() == 0)
        return nn::AnyModule(conv);
    const ConvolutionOptions r = convOptions(out, out, 1, options_.kernel_size());
    Sequence seq;
    seq->push_back(conv);
    seq->push_back(ResidualUnit(ResidualUnitOptions{r, 1, isTop}));
    return nn::AnyModule(seq);
}

at::Tensor UNetImpl::forward(at::Tensor x) {
    return model_->forward(x);
}

int64_t UNetImpl::sizeDivisor() const {
    return product(options_.strides());
}

ComponentInfo UNetImpl::info() {
    return {
        "UNet",
        "network",
        "MONAI's residual UNet (weight-compatible).",
        {spatialDimsParam(),
         channelsParam("in_channels", 1, "input channels"),
         channelsParam("out_channels", 2, "output channels (classes)"),
         {"channels",
          ParamType::IntList,
          Json{16, 32, 64, 128, 256},
          1,
          1e5,
          {},
          "features per level"},
         {"strides", ParamType::IntList, Json{2, 2, 2, 2}, 1, 16, {}, "stride per down-sampling"},
         {"kernel_size", ParamType::IntList, 3, 1, 15, {}, "convolution kernel (odd)"},
         {"up_kernel_size", ParamType::IntList, 3, 1, 15, {}, "transposed convolution kernel"},
         {"num_res_units", ParamType::Int, 0, 0, 16, {}, "residual sub-units per block"},
         layerParam("act", "prelu", "activation: name or [name, {arguments}]"),
         layerParam("norm", "instance", "normalisation: name or [name, {arguments}]"),
         dropoutParam(0.0),
         {"bias", ParamType::Bool, true, 0, 1, {}, "convolution bias"},
         {"adn_ordering", ParamType::String, "NDA", 0, 0, {}, "order of norm, dropout, act"}}};
}

std::shared_ptr<Network> UNetImpl::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<UNetImpl>(UNetOptions()
                                          .spatial_dims(r.integer("spatial_dims"))
                                          .in_channels(r.integer("in_channels"))
                                          .out_channels(r.integer("out_channels"))
                                          .channels(r.intList("channels"))
                                          .strides(r.intList("strides"))
                                          .kernel_size(r.intList("kernel_size"))
                                          .up_kernel_size(r.intList("up_kernel_size"))
                                          .num_res_units(r.integer("num_res_units"))
                                          .act(readLayer(r, "act"))
                                          .norm(readLayer(r, "norm"))
                                          .dropout(readLayer(r, "dropout"))
                                          .bias(r.boolean("bias"))
                                          .adn_ordering(r.string("adn_ordering")));
}

Json UNetImpl::toJson() const {
    const auto& o = options_;
    return {{"name", "UNet"},
            {"spatial_dims", o.spatial_dims()},
            {"in_channels", o.in_channels()},
            {"out_channels", o.out_channels()},
            {"channels", o.channels()},
            {"strides", o.strides()},
            {"kernel_size", oneOrList(o.kernel_size())},
            {"up_kernel_size", oneOrList(o.up_kernel_size())},
            {"num_res_units", o.num_res_units()},
            {"act", o.act().toJson()},
            {"norm", o.norm().toJson()},
            {"dropout", o.dropout().toJson()},
            {"bias", o.bias()},
            {"adn_ordering", o.adn_ordering()}};
}

} // namespace medulla
