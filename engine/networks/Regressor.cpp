#include "engine/networks/Regressor.h"

#include <torch/torch.h>

#include "engine/networks/Convolution.h"
#include "engine/networks/Layers.h"
#include "engine/networks/NetworkParams.h"
#include "engine/networks/ResidualUnit.h"

namespace medulla {
namespace nn = torch::nn;

namespace {
/// Parameters shared by Regressor, Classifier and Discriminator, in MONAI's order.
std::vector<ParamSpec> sharedParams(const std::vector<ParamSpec>& head, Json dropoutDefault,
                                    const std::vector<ParamSpec>& tail) {
    std::vector<ParamSpec> p{
        {"in_shape",
         ParamType::IntList,
         Json{1, 64, 64},
         1,
         1e6,
         {},
         "input shape without the batch axis: channels, then 1-3 spatial sizes"}};
    p.insert(p.end(), head.begin(), head.end());
    std::vector<ParamSpec> rest{
        {"channels", ParamType::IntList, Json{2, 4, 8}, 1, 1e5, {}, "output channels per block"},
        {"strides", ParamType::IntList, Json{2, 2, 2}, 1, 16, {}, "down-sampling stride per block"},
        {"kernel_size", ParamType::IntList, 3, 1, 15, {}, "convolution kernel (odd)"},
        {"num_res_units", ParamType::Int, 2, 0, 16, {}, "residual sub-units per block (0: plain)"},
        layerParam("act", "prelu", "activation: name or [name, {arguments}]"),
        layerParam("norm", "instance", "normalisation: name or [name, {arguments}]"),
        dropoutParam(std::move(dropoutDefault)),
        {"bias", ParamType::Bool, true, 0, 1, {}, "convolution bias"}};
    p.insert(p.end(), rest.begin(), rest.end());
    p.insert(p.end(), tail.begin(), tail.end());
    return p;
}

RegressorOptions readShared(const ParamReader& r) {
    return RegressorOptions()
        .in_shape(r.intList("in_shape"))
        .channels(r.intList("channels"))
        .strides(r.intList("strides"))
        .kernel_size(r.intList("kernel_size"))
        .num_res_units(r.integer("num_res_units"))
        .act(readLayer(r, "act"))
        .norm(readLayer(r, "norm"))
        .dropout(readLayer(r, "dropout"))
        .bias(r.boolean("bias"));
}
} // namespace

RegressorImpl::RegressorImpl(RegressorOptions o) : options_(std::move(o)) {
    const auto& inShape = options_.in_shape();
    const auto& ch = options_.channels();
    const auto& st = options_.strides();
    if (inShape.size() < 2 || inShape.size() > 4)
        throw ConfigError("needs channels and 1 to 3 spatial sizes, got " +
                              std::to_string(inShape.size()) + " values",
                          {}, "network.in_shape");
    checkAllPositive(inShape, "network.in_shape");
    if (options_.out_shape().empty())
        throw ConfigError("needs at least one value", {}, "network.out_shape");
    checkAllPositive(options_.out_shape(), "network.out_shape");
    checkChannelsAndStrides(ch, st);
    if (options_.num_res_units() < 0)
        throw ConfigError("must be >= 0", {}, "network.num_res_units");
    const int dims = int(inShape.size()) - 1;
    const auto kernel = perAxis(options_.kernel_size(), dims, "network.kernel_size");
    checkOddKernel(kernel, "network.kernel_size");
    const auto pad = samePadding(kernel, {1}, dims);

    std::vector<int64_t> size(inShape.begin() + 1, inShape.end());
    net_ = Sequence();
    int64_t echannel = inShape[0];
    for (size_t i = 0; i < ch.size(); ++i) {
        const bool isLast = i + 1 == ch.size();
        ConvolutionOptions c =
            convolutionOptions(dims, echannel, ch[i], st[i], kernel, options_.act(),
                               options_.norm(), options_.dropout(), options_.bias());
        const std::string name = "layer_" + std::to_string(i);
        if (options_.num_res_units() > 0) {
            net_->push_back(std::string(name),
                            ResidualUnit(ResidualUnitOptions{c, options_.num_res_units(), isLast}));
        } else {
            c.conv_only = isLast;
            net_->push_back(std::string(name), Convolution(c));
        }
        echannel = ch[i];
        for (int d = 0; d < dims; ++d) {
            const int64_t k = kernel[size_t(d)];
            const int64_t num = size[size_t(d)] - k + 2 * pad[size_t(d)];
            size[size_t(d)] = (num >= 0 ? num / st[i] : -((-num + st[i] - 1) / st[i])) + 1;
            if (size[size_t(d)] < 1)
                throw ConfigError("the input is too small for " + std::to_string(i + 1) +
                                      " strided blocks",
                                  {}, "network.in_shape");
        }
    }
    register_module("net", net_);

    int64_t flat = echannel, outNumel = 1;
    for (auto s : size)
        flat *= s;
    for (auto s : options_.out_shape())
        outNumel *= s;
    final_ = Sequence();
    final_->push_back("0", nn::Flatten());
    final_->push_back("1", nn::Linear(flat, outNumel));
    if (!options_.last_act().none())
        final_->push_back("lastact", makeActivation(options_.last_act()));
    register_module("final", final_);
}

at::Tensor RegressorImpl::forward(at::Tensor x) {
    x = final_->forward(net_->forward(x));
    std::vector<int64_t> shape{x.size(0)};
    shape.insert(shape.end(), options_.out_shape().begin(), options_.out_shape().end());
    return x.reshape(shape);
}

ComponentInfo RegressorImpl::info() {
    return {"Regressor", "network",
            "MONAI's Regressor: strided conv/residual blocks and a linear layer to out_shape.",
            sharedParams({{"out_shape",
                           ParamType::IntList,
                           Json{1},
                           1,
                           1e6,
                           {},
                           "output shape without the batch axis"}},
                         nullptr, {})};
}

ComponentInfo RegressorImpl::classifierInfo() {
    return {
        "Classifier", "network",
        "MONAI's Classifier: a Regressor to (B, classes) with an optional last activation.",
        sharedParams({channelsParam("classes", 2, "number of classes (outputs)")}, nullptr,
                     {layerParam("last_act", nullptr, "last activation (e.g. softmax) or null")})};
}

ComponentInfo RegressorImpl::discriminatorInfo() {
    return {"Discriminator", "network",
            "MONAI's Discriminator: a Classifier with one output and a sigmoid, for GANs.",
            sharedParams({}, 0.25, {layerParam("last_act", "sigmoid", "last activation or null")})};
}

std::shared_ptr<Network> RegressorImpl::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RegressorImpl>(
        readShared(r).out_shape(r.intList("out_shape")).kind("Regressor"));
}

std::shared_ptr<Network> RegressorImpl::classifierFromJson(const Json& config,
                                                           const std::string& context) {
    static const ComponentInfo i = classifierInfo();
    ParamReader r(config, context, i.params);
    return std::make_shared<RegressorImpl>(readShared(r)
                                               .out_shape({r.integer("classes")})
                                               .last_act(readLayer(r, "last_act"))
                                               .kind("Classifier"));
}

std::shared_ptr<Network> RegressorImpl::discriminatorFromJson(const Json& config,
                                                              const std::string& context) {
    static const ComponentInfo i = discriminatorInfo();
    ParamReader r(config, context, i.params);
    return std::make_shared<RegressorImpl>(
        readShared(r).out_shape({1}).last_act(readLayer(r, "last_act")).kind("Discriminator"));
}

Json RegressorImpl::toJson() const {
    const auto& o = options_;
    Json j{{"name", o.kind()}, {"in_shape", o.in_shape()}};
    if (o.kind() == "Classifier")
        j["classes"] = o.out_shape().front();
    else if (o.kind() != "Discriminator")
        j["out_shape"] = o.out_shape();
    j["channels"] = o.channels();
    j["strides"] = o.strides();
    j["kernel_size"] = oneOrList(o.kernel_size());
    j["num_res_units"] = o.num_res_units();
    j["act"] = o.act().toJson();
    j["norm"] = o.norm().toJson();
    j["dropout"] = o.dropout().toJson();
    j["bias"] = o.bias();
    if (o.kind() != "Regressor")
        j["last_act"] = o.last_act().toJson();
    return j;
}

} // namespace medulla
