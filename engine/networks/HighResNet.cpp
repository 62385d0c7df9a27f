#include "engine/networks/HighResNet.h"

#include <torch/torch.h>

#include "engine/networks/Convolution.h"
#include "engine/networks/Layers.h"
#include "engine/networks/NetworkParams.h"

namespace medulla {
namespace nn = torch::nn;

namespace {

const std::string kLayerParams = "network.layer_params";

/// A kernel size written as an integer or a list of integers.
std::vector<int64_t> kernelOf(const Json& v, const std::string& field) {
    std::vector<int64_t> k;
    if (v.is_number_integer())
        k.push_back(v.get<int64_t>());
    else if (v.is_array() && !v.empty())
        for (const auto& e : v) {
            if (!e.is_number_integer())
                throw ConfigError("expected an integer or a list of integers, got " + v.dump(), {},
                                  field);
            k.push_back(e.get<int64_t>());
        }
    else
        throw ConfigError("expected an integer or a list of integers, got " + v.dump(), {}, field);
    for (auto x : k)
        if (x < 1 || x % 2 == 0)
            throw ConfigError("kernel sizes must be odd and >= 1 (same padding), got " + v.dump(),
                              {}, field);
    return k;
}

const Json& entry(const Json& layer, const char* key, const std::string& field) {
    if (!layer.is_object() || !layer.contains(key))
        throw ConfigError(std::string("needs \"") + key + "\"", {}, field);
    return layer[key];
}

int64_t positiveInt(const Json& layer, const char* key, const std::string& field) {
    const Json& v = entry(layer, key, field);
    if (!v.is_number_integer() || v.get<int64_t>() < 1)
        throw ConfigError("expected an integer >= 1, got " + v.dump(), {}, field + "." + key);
    return v.get<int64_t>();
}

std::string layerField(size_t i) {
    return kLayerParams + "[" + std::to_string(i) + "]";
}

} // namespace

HighResBlockImpl::HighResBlockImpl(int dims, int64_t in, int64_t out,
                                   const std::vector<Json>& kernels, int64_t dilation,
                                   const LayerSpec& norm, const LayerSpec& act, bool bias,
                                   const std::string& matching) {
    if (in != out) {
        if (matching == "project") {
            ConvSpec p;
            p.spatial_dims = dims;
            p.in_channels = in;
            p.out_channels = out;
            p.kernel_size = {1};
            p.padding = {0};
            project_ = makeConv(p);
        } else {
            if (in > out)
                throw ConfigError("channel_matching \"pad\" cannot reduce " + std::to_string(in) +
                                      " channels to " + std::to_string(out),
                                  {}, "network.channel_matching");
            const int64_t p1 = (out - in) / 2;
            pad_.assign(size_t(2 * dims), 0);
            pad_.push_back(p1);
            pad_.push_back(out - in - p1);
        }
    }
    // Module "chn_pad" holds "project" only when projecting (MONAI's ChannelPad).
    auto chnPad = std::make_shared<nn::Module>("ChannelPad");
    if (!project_.is_empty())
        chnPad->register_module("project", project_.ptr());
    layers_ = Sequence();
    int64_t c = in;
    for (size_t i = 0; i < kernels.size(); ++i) {
        const auto field = "network.layer_params.kernels[" + std::to_string(i) + "]";
        layers_->push_back(makeADN("NA", c, act, norm, dims, LayerSpec(), 1));
        ConvolutionOptions o;
        o.spatial_dims = dims;
        o.in_channels = c;
        o.out_channels = out;
        o.kernel_size = kernelOf(kernels[i], field);
        o.dilation = {dilation};
        o.bias = bias;
        o.conv_only = true;
        layers_->push_back(Convolution(o));
        c = out;
    }
    register_module("chn_pad", chnPad);
    register_module("layers", layers_);
    // Without a norm, MONAI's in-place activation runs on the block input
    // itself, so the residual path sees the activated input.
    if (norm.none() && !act.none() && act.flag("inplace", false))
        inplaceAct_ = makeActivation(act);
}

at::Tensor HighResBlockImpl::forward(at::Tensor x) {
    at::Tensor res = inplaceAct_.is_empty() ? x : inplaceAct_.forward(x);
    at::Tensor y = layers_->forward(x);
    if (!project_.is_empty())
        res = project_.forward(res);
    else if (!pad_.empty())
        res = torch::constant_pad_nd(res, pad_, 0);
    return y + res;
}

Json HighResNetOptions::defaultLayerParams() {
    return Json::parse(R"([
        {"name": "conv_0", "n_features": 16, "kernel_size": 3},
        {"name": "res_1", "n_features": 16, "kernels": [3, 3], "repeat": 3},
        {"name": "res_2", "n_features": 32, "kernels": [3, 3], "repeat": 3},
        {"name": "res_3", "n_features": 64, "kernels": [3, 3], "repeat": 3},
        {"name": "conv_1", "n_features": 80, "kernel_size": 1},
        {"name": "conv_2", "kernel_size": 1}])");
}

HighResNetImpl::HighResNetImpl(HighResNetOptions o) : options_(std::move(o)) {
    checkSpatialDims(options_.spatial_dims(), "network.spatial_dims");
    if (options_.in_channels() < 1 || options_.out_channels() < 1)
        throw ConfigError("must be >= 1", {}, "network.in_channels/out_channels");
    const std::string& matching = options_.channel_matching();
    if (matching != "pad" && matching != "project")
        throw ConfigError("must be \"pad\" or \"project\", got \"" + matching + "\"", {},
                          "network.channel_matching");
    const Json& lp = options_.layer_params();
    if (!lp.is_array() || lp.size() < 2)
        throw ConfigError("needs a list of at least 2 layer dicts", {}, kLayerParams);
    const int dims = int(options_.spatial_dims());
    const size_t n = lp.size();

    auto conv = [&](int64_t in, int64_t out, const Json& layer, size_t i, const char* ordering,
                    const LayerSpec& dropout) {
        ConvolutionOptions c;
        c.spatial_dims = dims;
        c.in_channels = in;
        c.out_channels = out;
        c.kernel_size =
            kernelOf(entry(layer, "kernel_size", layerField(i)), layerField(i) + ".kernel_size");
        c.adn_ordering = ordering;
        c.act = options_.acti_type();
        c.norm = options_.norm_type();
        c.dropout = dropout;
        c.bias = options_.bias();
        return Convolution(c);
    };

    blocks_ = Sequence();
    int64_t outChns = positiveInt(lp[0], "n_features", layerField(0));
    blocks_->push_back(conv(options_.in_channels(), outChns, lp[0], 0, "NA", LayerSpec()));
    for (size_t i = 1; i + 2 < n; ++i) {
        const Json& layer = lp[i];
        const int64_t features = positiveInt(layer, "n_features", layerField(i));
        const Json& ks = entry(layer, "kernels", layerField(i));
        if (!ks.is_array())
            throw ConfigError("expected a list of kernel sizes", {}, layerField(i) + ".kernels");
        const std::vector<Json> kernels(ks.begin(), ks.end());
        const Json& rep = entry(layer, "repeat", layerField(i));
        if (!rep.is_number_integer() || rep.get<int64_t>() < 0)
            throw ConfigError("expected an integer >= 0", {}, layerField(i) + ".repeat");
        int64_t in = outChns;
        for (int64_t r = 0; r < rep.get<int64_t>(); ++r) {
            blocks_->push_back(HighResBlock(dims, in, features, kernels, int64_t(1) << (i - 1),
                                            options_.norm_type(), options_.acti_type(),
                                            options_.bias(), matching));
            in = features;
        }
        outChns = features;
    }
    const int64_t penultimate = positiveInt(lp[n - 2], "n_features", layerField(n - 2));
    blocks_->push_back(
        conv(outChns, penultimate, lp[n - 2], n - 2, "NAD", options_.dropout_prob()));
    blocks_->push_back(conv(penultimate, options_.out_channels(), lp[n - 1], n - 1, "NAD",
                            options_.dropout_prob()));
    register_module("blocks", blocks_);
}

at::Tensor HighResNetImpl::forward(at::Tensor x) {
    return blocks_->forward(x);
}

ComponentInfo HighResNetImpl::info() {
    return {"HighResNet",
            "network",
            "MONAI's HighResNet: dilated residual blocks at full resolution (weight-compatible).",
            {spatialDimsParam(),
             channelsParam("in_channels", 1, "input channels"),
             channelsParam("out_channels", 1, "output channels (classes)"),
             layerParam("norm_type", Json::array({"batch", {{"affine", true}}}),
                        "normalisation: name or [name, {arguments}]"),
             layerParam("acti_type", Json::array({"relu", {{"inplace", true}}}),
                        "activation: name or [name, {arguments}]"),
             layerParam("dropout_prob", 0.0,
                        "dropout after the two final convolutions: probability or null"),
             {"bias", ParamType::Bool, false, 0, 1, {}, "convolution bias"},
             {"layer_params",
              ParamType::Object,
              HighResNetOptions::defaultLayerParams(),
              0,
              0,
              {},
              "list of layer dicts: {n_features, kernel_size}, {n_features, kernels, repeat}..., "
              "{n_features, kernel_size}, {kernel_size}"},
             {"channel_matching",
              ParamType::String,
              "pad",
              0,
              0,
              {"pad", "project"},
              "residual channel mismatch: zero padding or a 1x1 projection"}}};
}

std::shared_ptr<Network> HighResNetImpl::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<HighResNetImpl>(HighResNetOptions()
                                                .spatial_dims(r.integer("spatial_dims"))
                                                .in_channels(r.integer("in_channels"))
                                                .out_channels(r.integer("out_channels"))
                                                .norm_type(readLayer(r, "norm_type"))
                                                .acti_type(readLayer(r, "acti_type"))
                                                .dropout_prob(readLayer(r, "dropout_prob"))
                                                .bias(r.boolean("bias"))
                                                .layer_params(r.raw("layer_params"))
                                                .channel_matching(r.string("channel_matching")));
}

Json HighResNetImpl::toJson() const {
    const auto& o = options_;
    return {{"name", "HighResNet"},
            {"spatial_dims", o.spatial_dims()},
            {"in_channels", o.in_channels()},
            {"out_channels", o.out_channels()},
            {"norm_type", o.norm_type().toJson()},
            {"acti_type", o.acti_type().toJson()},
            {"dropout_prob", o.dropout_prob().toJson()},
            {"bias", o.bias()},
            {"layer_params", o.layer_params()},
            {"channel_matching", o.channel_matching()}};
}

} // namespace medulla
