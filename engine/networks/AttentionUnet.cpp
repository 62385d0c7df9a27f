#include "engine/networks/AttentionUnet.h"

#include <torch/torch.h>

#include "engine/networks/Layers.h"
#include "engine/networks/NetworkParams.h"

namespace medulla {
namespace nn = torch::nn;

namespace {

/// Convolution -> batch norm -> dropout -> ReLU, twice (the first strided):
/// "conv.0", "conv.1".
Sequence convBlock(int dims, int64_t in, int64_t out, const std::vector<int64_t>& kernel,
                   int64_t stride, const LayerSpec& dropout) {
    ConvolutionOptions c;
    c.spatial_dims = dims;
    c.in_channels = in;
    c.out_channels = out;
    c.kernel_size = kernel;
    c.strides = {stride};
    c.act = "relu";
    c.norm = "batch";
    c.dropout = dropout;
    Sequence conv;
    conv->push_back(Convolution(c));
    c.in_channels = out;
    c.strides = {1};
    conv->push_back(Convolution(c));
    Sequence block;
    block->push_back("conv", conv);
    return block;
}

/// A 1x1 convolution with bias, without norm or activation.
Convolution pointwise(int dims, int64_t in, int64_t out) {
    ConvolutionOptions c;
    c.spatial_dims = dims;
    c.in_channels = in;
    c.out_channels = out;
    c.kernel_size = {1};
    c.padding = {0};
    c.conv_only = true;
    return Convolution(c);
}

/// MONAI's AttentionBlock: psi = sigmoid(BN(conv(relu(BN(W_g g) + BN(W_x x)))));
/// returns x * psi. g and x have f_g = f_l channels.
class AttentionBlockImpl : public nn::Module {
public:
    AttentionBlockImpl(int dims, int64_t fInt, int64_t fG, int64_t fL) {
        auto gate = [&](int64_t in, int64_t out) {
            Sequence s;
            s->push_back(pointwise(dims, in, out));
            s->push_back(makeNorm("batch", dims, out));
            return s;
        };
        wG_ = register_module("W_g", gate(fG, fInt));
        wX_ = register_module("W_x", gate(fL, fInt));
        psi_ = gate(fInt, 1);
        psi_->push_back(nn::Sigmoid());
        register_module("psi", psi_);
        register_module("relu", nn::ReLU());
    }
    at::Tensor forward(const at::Tensor& g, const at::Tensor& x) {
        at::Tensor p = torch::relu(wG_->forward(g) + wX_->forward(x));
        return x * psi_->forward(p);
    }

private:
    Sequence wG_{nullptr}, wX_{nullptr}, psi_{nullptr};
};
TORCH_MODULE(AttentionBlock);

/// MONAI's AttentionLayer: up-sample submodule(x) (out -> in channels),
/// gate x with it, merge the concatenation (2 * in -> in channels).
class AttentionLayerImpl : public nn::Module {
public:
    AttentionLayerImpl(int dims, int64_t in, int64_t out, nn::AnyModule submodule,
                       const std::vector<int64_t>& upKernel, int64_t stride,
                       const LayerSpec& dropout) {
        attention_ = register_module("attention", AttentionBlock(dims, in / 2, in, in));
        ConvolutionOptions u;
        u.spatial_dims = dims;
        u.in_channels = out;
        u.out_channels = in;
        u.strides = {stride};
        u.kernel_size = upKernel;
        u.act = "relu";
        u.norm = "batch";
        u.dropout = LayerSpec::dropout(0.0); // UpConv keeps its default 0.0
        u.is_transposed = true;
        Sequence up;
        up->push_back("up", Convolution(u));
        upconv_ = register_module("upconv", up);
        ConvolutionOptions m;
        m.spatial_dims = dims;
        m.in_channels = 2 * in;
        m.out_channels = in;
        m.dropout = dropout;
        merge_ = register_module("merge", Convolution(m));
        submodule_ = std::move(submodule);
        register_module("submodule", submodule_.ptr());
    }
    at::Tensor forward(at::Tensor x) {
        at::Tensor lower = upconv_->forward(submodule_.forward(x));
        at::Tensor att = attention_->forward(lower, x);
        return merge_->forward(torch::cat({att, lower}, 1));
    }

private:
    AttentionBlock attention_{nullptr};
    Sequence upconv_{nullptr};
    Convolution merge_{nullptr};
    nn::AnyModule submodule_;
};
TORCH_MODULE(AttentionLayer);

} // namespace

AttentionUnetImpl::AttentionUnetImpl(AttentionUnetOptions o) : options_(std::move(o)) {
    const auto& ch = options_.channels();
    const auto& st = options_.strides();
    checkSpatialDims(options_.spatial_dims(), "network.spatial_dims");
    if (ch.size() < 2)
        throw ConfigError("needs at least 2 levels", {}, "network.channels");
    if (st.size() < ch.size() - 1)
        throw ConfigError("needs at least len(channels) - 1 = " + std::to_string(ch.size() - 1) +
                              " values, got " + std::to_string(st.size()),
                          {}, "network.strides");
    for (auto c : ch)
        if (c < 1)
            throw ConfigError("every value must be >= 1", {}, "network.channels");
    for (auto s : st)
        if (s < 1)
            throw ConfigError("every value must be >= 1", {}, "network.strides");
    if (options_.in_channels() < 1 || options_.out_channels() < 1)
        throw ConfigError("must be >= 1", {}, "network.in_channels/out_channels");
    const int dims = int(options_.spatial_dims());
    for (const char* field : {"kernel_size", "up_kernel_size"}) {
        const std::string name = std::string("network.") + field;
        const auto& k = field[0] == 'k' ? options_.kernel_size() : options_.up_kernel_size();
        for (auto v : perAxis(k, dims, name))
            if (v < 1 || v % 2 == 0)
                throw ConfigError("must be odd (MONAI's same padding), got " + std::to_string(v),
                                  {}, name);
    }
    Sequence model;
    model->push_back(convBlock(dims, options_.in_channels(), ch[0], options_.kernel_size(), 1,
                               options_.dropout()));
    model->push_back(createBlock(0));
    model->push_back(pointwise(dims, ch[0], options_.out_channels()));
    model_ = register_module("model", model);
}

nn::AnyModule AttentionUnetImpl::createBlock(size_t level) {
    const auto& ch = options_.channels();
    const int dims = int(options_.spatial_dims());
    const int64_t s = options_.strides()[level];
    Sequence down =
        convBlock(dims, ch[level], ch[level + 1], options_.kernel_size(), s, options_.dropout());
    nn::AnyModule sub;
    if (ch.size() - level > 2) {
        Sequence seq;
        seq->push_back(down);
        seq->push_back(createBlock(level + 1));
        sub = nn::AnyModule(seq);
    } else {
        sub = nn::AnyModule(down); // the bottom layer
    }
    return nn::AnyModule(AttentionLayer(dims, ch[level], ch[level + 1], std::move(sub),
                                        options_.up_kernel_size(), s, options_.dropout()));
}

int64_t AttentionUnetImpl::sizeDivisor() const {
    int64_t d = 1;
    for (size_t i = 0; i + 1 < options_.channels().size(); ++i)
        d *= options_.strides()[i];
    return d;
}

ComponentInfo AttentionUnetImpl::info() {
    return {
        "AttentionUnet",
        "network",
        "MONAI's Attention U-Net (weight-compatible).",
        {spatialDimsParam(),
         channelsParam("in_channels", 1, "input channels"),
         channelsParam("out_channels", 2, "output channels (classes)"),
         {"channels", ParamType::IntList, Json{16, 32, 64, 128}, 1, 1e5, {}, "features per level"},
         {"strides", ParamType::IntList, Json{2, 2, 2}, 1, 16, {}, "stride per down-sampling"},
         {"kernel_size", ParamType::IntList, 3, 1, 15, {}, "convolution kernel (odd)"},
         {"up_kernel_size",
          ParamType::IntList,
          3,
          1,
          15,
          {},
          "transposed convolution kernel (odd)"},
         dropoutParam(0.0)}};
}

std::shared_ptr<Network> AttentionUnetImpl::fromJson(const Json& config,
                                                     const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<AttentionUnetImpl>(AttentionUnetOptions()
                                                   .spatial_dims(r.integer("spatial_dims"))
                                                   .in_channels(r.integer("in_channels"))
                                                   .out_channels(r.integer("out_channels"))
                                                   .channels(r.intList("channels"))
                                                   .strides(r.intList("strides"))
                                                   .kernel_size(r.intList("kernel_size"))
                                                   .up_kernel_size(r.intList("up_kernel_size"))
                                                   .dropout(readLayer(r, "dropout")));
}

Json AttentionUnetImpl::toJson() const {
    const auto& o = options_;
    return {{"name", "AttentionUnet"},
            {"spatial_dims", o.spatial_dims()},
            {"in_channels", o.in_channels()},
            {"out_channels", o.out_channels()},
            {"channels", o.channels()},
            {"strides", o.strides()},
            {"kernel_size", oneOrList(o.kernel_size())},
            {"up_kernel_size", oneOrList(o.up_kernel_size())},
            {"dropout", o.dropout().toJson()}};
}

} // namespace medulla
