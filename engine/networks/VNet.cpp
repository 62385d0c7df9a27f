#include "engine/networks/VNet.h"

#include <torch/torch.h>

#include "engine/networks/Convolution.h"
#include "engine/networks/Layers.h"
#include "engine/networks/NetworkParams.h"

namespace medulla {
namespace nn = torch::nn;

namespace {

/// MONAI's get_acti_layer: a bare "prelu" has one parameter per channel.
nn::AnyModule activation(const LayerSpec& act, int64_t channels) {
    if (act.name == "prelu" && !act.has("num_parameters")) {
        LayerSpec s = act;
        s.args["num_parameters"] = channels;
        return makeActivation(s);
    }
    return makeActivation(act);
}

/// Convolution(kernel 5, no act, batch norm): "conv" + "adn.N".
Convolution conv5(int dims, int64_t in, int64_t out, bool bias) {
    ConvolutionOptions c;
    c.spatial_dims = dims;
    c.in_channels = in;
    c.out_channels = out;
    c.kernel_size = {5};
    c.act = LayerSpec();
    c.norm = "batch";
    c.bias = bias;
    return Convolution(c);
}

nn::AnyModule plainConv(int dims, int64_t in, int64_t out, int64_t k, bool bias, bool transposed) {
    ConvSpec s;
    s.spatial_dims = dims;
    s.in_channels = in;
    s.out_channels = out;
    s.kernel_size = {k};
    s.stride = {k};
    s.padding = {0};
    s.output_padding = {0};
    s.bias = bias;
    s.transposed = transposed;
    return makeConv(s);
}

/// MONAI's LUConv: act(conv_block(x)).
class LUConvImpl : public nn::Module {
public:
    LUConvImpl(int dims, int64_t channels, const LayerSpec& act, bool bias) {
        act_ = activation(act, channels);
        register_module("act_function", act_.ptr());
        conv_ = register_module("conv_block", conv5(dims, channels, channels, bias));
    }
    at::Tensor forward(at::Tensor x) { return act_.forward(conv_->forward(x)); }

private:
    nn::AnyModule act_;
    Convolution conv_{nullptr};
};
TORCH_MODULE(LUConv);

Sequence nconv(int dims, int64_t channels, int64_t depth, const LayerSpec& act, bool bias) {
    Sequence s;
    for (int64_t i = 0; i < depth; ++i)
        s->push_back(LUConv(dims, channels, act, bias));
    return s;
}

} // namespace

/// in_tr: act(conv_block(x) + x repeated to 16 channels).
class VNetInputImpl : public nn::Module {
public:
    VNetInputImpl(int dims, int64_t in, int64_t out, const LayerSpec& act, bool bias)
        : repeat_(out / in) {
        act_ = activation(act, out);
        register_module("act_function", act_.ptr());
        conv_ = register_module("conv_block", conv5(dims, in, out, bias));
    }
    at::Tensor forward(at::Tensor x) {
        std::vector<int64_t> reps(size_t(x.dim()), 1);
        reps[1] = repeat_;
        return act_.forward(conv_->forward(x) + x.repeat(reps));
    }

private:
    int64_t repeat_;
    nn::AnyModule act_;
    Convolution conv_{nullptr};
};

/// down_trN: strided 2x2 conv doubling the channels, nconvs LUConvs, residual.
class VNetDownImpl : public nn::Module {
public:
    VNetDownImpl(int dims, int64_t in, int64_t nconvs, const LayerSpec& act,
                 std::optional<double> dropout, bool bias) {
        const int64_t out = 2 * in;
        down_ = plainConv(dims, in, out, 2, bias, false);
        register_module("down_conv", down_.ptr());
        bn_ = makeNorm("batch", dims, out);
        register_module("bn1", bn_.ptr());
        act1_ = activation(act, out);
        register_module("act_function1", act1_.ptr());
        act2_ = activation(act, out);
        register_module("act_function2", act2_.ptr());
        ops_ = register_module("ops", nconv(dims, out, nconvs, act, bias));
        if (dropout)
            drop_ = register_module("dropout", nn::Dropout3d(*dropout));
    }
    at::Tensor forward(at::Tensor x) {
        at::Tensor down = act1_.forward(bn_.forward(down_.forward(x)));
        at::Tensor out = drop_ ? drop_->forward(down) : down;
        return act2_.forward(ops_->forward(out) + down);
    }

private:
    nn::AnyModule down_, bn_, act1_, act2_;
    Sequence ops_{nullptr};
    nn::Dropout3d drop_{nullptr};
};

/// up_trN: 2x2 transposed conv to out/2 channels, concatenated with the
/// (dropped-out) skip input, nconvs LUConvs, residual.
class VNetUpImpl : public nn::Module {
public:
    VNetUpImpl(int dims, int64_t in, int64_t out, int64_t nconvs, const LayerSpec& act,
               std::optional<double> dropout, double skipDropout) {
        up_ = plainConv(dims, in, out / 2, 2, true, true);
        register_module("up_conv", up_.ptr());
        bn_ = makeNorm("batch", dims, out / 2);
        register_module("bn1", bn_.ptr());
        if (dropout)
            drop_ = register_module("dropout", nn::Dropout3d(*dropout));
        drop2_ = register_module("dropout2", nn::Dropout3d(skipDropout));
        act1_ = activation(act, out / 2);
        register_module("act_function1", act1_.ptr());
        act2_ = activation(act, out);
        register_module("act_function2", act2_.ptr());
        // MONAI builds these LUConvs with its default bias=False, whatever `bias` says.
        ops_ = register_module("ops", nconv(dims, out, nconvs, act, false));
    }
    at::Tensor forward(at::Tensor x, at::Tensor skip) {
        at::Tensor out = drop_ ? drop_->forward(x) : x;
        at::Tensor skipDo = drop2_->forward(skip);
        out = act1_.forward(bn_.forward(up_.forward(out)));
        at::Tensor cat = torch::cat({out, skipDo}, 1);
        return act2_.forward(ops_->forward(cat) + cat);
    }

private:
    nn::AnyModule up_, bn_, act1_, act2_;
    Sequence ops_{nullptr};
    nn::Dropout3d drop_{nullptr}, drop2_{nullptr};
};

/// out_tr: conv_block (5x5, batch norm), act, 1x1 conv2.
class VNetOutputImpl : public nn::Module {
public:
    VNetOutputImpl(int dims, int64_t in, int64_t out, const LayerSpec& act, bool bias) {
        act_ = activation(act, out);
        register_module("act_function1", act_.ptr());
        conv_ = register_module("conv_block", conv5(dims, in, out, bias));
        ConvSpec s;
        s.spatial_dims = dims;
        s.in_channels = out;
        s.out_channels = out;
        s.kernel_size = {1};
        s.padding = {0};
        conv2_ = makeConv(s);
        register_module("conv2", conv2_.ptr());
    }
    at::Tensor forward(at::Tensor x) { return conv2_.forward(act_.forward(conv_->forward(x))); }

private:
    nn::AnyModule act_, conv2_;
    Convolution conv_{nullptr};
};

namespace {
void checkProbability(const std::optional<double>& p, const std::string& field) {
    if (p && !(*p >= 0 && *p <= 1))
        throw ConfigError("dropout probability must be in [0, 1], got " + std::to_string(*p), {},
                          field);
}

std::optional<double> optionalProbability(const Json& v, const std::string& field) {
    if (v.is_null())
        return std::nullopt;
    if (!v.is_number())
        throw ConfigError("expected a probability or null, got " + v.dump(), {}, field);
    return v.get<double>();
}

Json optionalJson(const std::optional<double>& p) {
    return p ? Json(*p) : Json(nullptr);
}
} // namespace

VNetImpl::VNetImpl(VNetOptions o) : options_(std::move(o)) {
    const int64_t dims = options_.spatial_dims();
    if (dims != 2 && dims != 3)
        throw ConfigError("must be 2 or 3, got " + std::to_string(dims), {},
                          "network.spatial_dims");
    const int64_t in = options_.in_channels();
    if (in < 1 || 16 % in != 0)
        throw ConfigError("must divide 16, got " + std::to_string(in), {}, "network.in_channels");
    if (options_.out_channels() < 1)
        throw ConfigError("must be >= 1", {}, "network.out_channels");
    if (options_.act().none())
        throw ConfigError("VNet needs an activation", {}, "network.act");
    if (options_.dropout_dim() < 1 || options_.dropout_dim() > 3)
        throw ConfigError("must be 1, 2 or 3", {}, "network.dropout_dim");
    checkProbability(options_.dropout_prob_down(), "network.dropout_prob_down");
    checkProbability(options_.dropout_prob_up_0(), "network.dropout_prob_up");
    checkProbability(options_.dropout_prob_up_1(), "network.dropout_prob_up");
    const int d = int(dims);
    const LayerSpec& act = options_.act();
    const bool bias = options_.bias();
    inTr_ = register_module("in_tr", std::make_shared<VNetInputImpl>(d, in, 16, act, bias));
    const std::optional<double> down = options_.dropout_prob_down();
    const int64_t nconvs[] = {1, 2, 3, 2};
    for (int i = 0; i < 4; ++i) {
        const int64_t c = int64_t(16) << i;
        down_.push_back(register_module(
            "down_tr" + std::to_string(2 * c),
            std::make_shared<VNetDownImpl>(d, c, nconvs[i], act,
                                           i >= 2 ? down : std::optional<double>(), bias)));
    }
    const std::optional<double> up0 = options_.dropout_prob_up_0();
    const double up1 = options_.dropout_prob_up_1();
    up_.push_back(
        register_module("up_tr256", std::make_shared<VNetUpImpl>(d, 256, 256, 2, act, up0, up1)));
    up_.push_back(
        register_module("up_tr128", std::make_shared<VNetUpImpl>(d, 256, 128, 2, act, up0, up1)));
    up_.push_back(register_module(
        "up_tr64", std::make_shared<VNetUpImpl>(d, 128, 64, 1, act, std::nullopt, 0.5)));
    up_.push_back(register_module(
        "up_tr32", std::make_shared<VNetUpImpl>(d, 64, 32, 1, act, std::nullopt, 0.5)));
    outTr_ = register_module(
        "out_tr", std::make_shared<VNetOutputImpl>(d, 32, options_.out_channels(), act, bias));
}

at::Tensor VNetImpl::forward(at::Tensor x) {
    at::Tensor out16 = inTr_->forward(x);
    at::Tensor out32 = down_[0]->forward(out16);
    at::Tensor out64 = down_[1]->forward(out32);
    at::Tensor out128 = down_[2]->forward(out64);
    at::Tensor out256 = down_[3]->forward(out128);
    x = up_[0]->forward(out256, out128);
    x = up_[1]->forward(x, out64);
    x = up_[2]->forward(x, out32);
    x = up_[3]->forward(x, out16);
    return outTr_->forward(x);
}

ComponentInfo VNetImpl::info() {
    return {"VNet",
            "network",
            "MONAI's V-Net, 2D or 3D (weight-compatible); sizes must be multiples of 16.",
            {{"spatial_dims", ParamType::Int, 3, 2, 3, {}, "number of spatial dimensions (2 or 3)"},
             channelsParam("in_channels", 1, "input channels (must divide 16)"),
             channelsParam("out_channels", 1, "output channels (classes)"),
             layerParam("act", Json::array({"elu", {{"inplace", true}}}),
                        "activation: name or [name, {arguments}]"),
             {"dropout_prob_down",
              ParamType::Object,
              0.5,
              0,
              0,
              {},
              "dropout of down_tr128 and down_tr256: probability or null"},
             {"dropout_prob_up",
              ParamType::Object,
              Json{0.5, 0.5},
              0,
              0,
              {},
              "[input dropout (or null), skip dropout] of up_tr256 and up_tr128"},
             {"dropout_dim",
              ParamType::Int,
              3,
              1,
              3,
              {},
              "dropout dimensions (MONAI 1.3.2 ignores it: always Dropout3d)"},
             {"bias", ParamType::Bool, false, 0, 1, {}, "convolution bias"}}};
}

std::shared_ptr<Network> VNetImpl::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    LayerSpec act = readLayer(r, "act");
    const Json& rawAct = r.raw("act");
    // Only the plain string "prelu" gets per-channel parameters in MONAI.
    if (act.name == "prelu" && !(rawAct.is_string() && rawAct.get<std::string>() == "prelu") &&
        !act.has("num_parameters"))
        act.args["num_parameters"] = 1;
    const Json& up = r.raw("dropout_prob_up");
    if (!up.is_array() || up.size() != 2)
        throw ConfigError("expected [probability or null, probability], got " + up.dump(), {},
                          r.field("dropout_prob_up"));
    if (!up[1].is_number())
        throw ConfigError("the skip dropout must be a probability, got " + up[1].dump(), {},
                          r.field("dropout_prob_up"));
    return std::make_shared<VNetImpl>(
        VNetOptions()
            .spatial_dims(r.integer("spatial_dims"))
            .in_channels(r.integer("in_channels"))
            .out_channels(r.integer("out_channels"))
            .act(act)
            .dropout_prob_down(
                optionalProbability(r.raw("dropout_prob_down"), r.field("dropout_prob_down")))
            .dropout_prob_up_0(optionalProbability(up[0], r.field("dropout_prob_up")))
            .dropout_prob_up_1(up[1].get<double>())
            .dropout_dim(r.integer("dropout_dim"))
            .bias(r.boolean("bias")));
}

Json VNetImpl::toJson() const {
    const auto& o = options_;
    Json act = o.act().toJson();
    // A per-channel prelu is MONAI's plain string.
    if (o.act().name == "prelu" && !o.act().has("num_parameters"))
        act = "prelu";
    return {{"name", "VNet"},
            {"spatial_dims", o.spatial_dims()},
            {"in_channels", o.in_channels()},
            {"out_channels", o.out_channels()},
            {"act", act},
            {"dropout_prob_down", optionalJson(o.dropout_prob_down())},
            {"dropout_prob_up", Json{optionalJson(o.dropout_prob_up_0()), o.dropout_prob_up_1()}},
            {"dropout_dim", o.dropout_dim()},
            {"bias", o.bias()}};
}

} // namespace medulla
