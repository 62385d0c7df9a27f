#include "engine/networks/SegResNet.h"

#include <torch/torch.h>

#include "engine/networks/Convolution.h"
#include "engine/networks/Layers.h"
#include "engine/networks/ModuleAlias.h"
#include "engine/networks/NetworkParams.h"
#include "engine/networks/UpSample.h"

namespace medulla {
namespace nn = torch::nn;

namespace {

at::Tensor run(nn::AnyModule& m, at::Tensor x) {
    return m.is_empty() ? x : m.forward(x);
}

/// Registers `m` under `name` when it is not empty (MONAI's Identity has no
/// state, so an absent module gives the same keys).
void add(Sequence& s, const std::string& name, nn::AnyModule m) {
    s->push_back(name, m.is_empty() ? nn::AnyModule(nn::Identity()) : std::move(m));
}

} // namespace

nn::AnyModule SegResNetImpl::convLayer(int dims, int64_t in, int64_t out, int64_t kernel,
                                       int64_t stride, bool bias) {
    ConvolutionOptions c;
    c.spatial_dims = dims;
    c.in_channels = in;
    c.out_channels = out;
    c.kernel_size = {kernel};
    c.strides = {stride};
    c.bias = bias;
    c.conv_only = true;
    return nn::AnyModule(Convolution(c));
}

SegResBlockImpl::SegResBlockImpl(int dims, int64_t ch, const LayerSpec& norm,
                                 const LayerSpec& act) {
    norm1_ = makeNorm(norm, dims, ch);
    norm2_ = makeNorm(norm, dims, ch);
    act_ = makeActivation(act);
    if (!norm1_.is_empty()) {
        register_module("norm1", norm1_.ptr());
        register_module("norm2", norm2_.ptr());
    }
    if (!act_.is_empty())
        register_module("act", act_.ptr());
    conv1_ = SegResNetImpl::convLayer(dims, ch, ch, 3, 1, false);
    conv2_ = SegResNetImpl::convLayer(dims, ch, ch, 3, 1, false);
    register_module("conv1", conv1_.ptr());
    register_module("conv2", conv2_.ptr());
}

at::Tensor SegResBlockImpl::forward(at::Tensor x) {
    at::Tensor y = conv1_.forward(run(act_, run(norm1_, x)));
    y = conv2_.forward(run(act_, run(norm2_, y)));
    return y + x;
}

SegResNetImpl::SegResNetImpl(SegResNetOptions o) : options_(std::move(o)) {
    const auto& op = options_;
    if (op.spatial_dims() != 2 && op.spatial_dims() != 3)
        throw ConfigError("must be 2 or 3", {}, "network.spatial_dims");
    const int dims = int(op.spatial_dims());
    if (op.in_channels() < 1 || op.out_channels() < 1)
        throw ConfigError("must be >= 1", {}, "network.in_channels/out_channels");
    if (op.init_filters() < 1)
        throw ConfigError("must be >= 1", {}, "network.init_filters");
    if (op.blocks_down().empty())
        throw ConfigError("needs at least one level", {}, "network.blocks_down");
    if (op.blocks_up().size() > op.blocks_down().size() - 1)
        throw ConfigError("needs at most len(blocks_down) - 1 = " +
                              std::to_string(op.blocks_down().size() - 1) + " levels",
                          {}, "network.blocks_up");
    for (auto b : op.blocks_down())
        if (b < 0)
            throw ConfigError("every value must be >= 0", {}, "network.blocks_down");
    for (auto b : op.blocks_up())
        if (b < 0)
            throw ConfigError("every value must be >= 0", {}, "network.blocks_up");
    if (op.dropout_prob() && !(*op.dropout_prob() >= 0 && *op.dropout_prob() <= 1))
        throw ConfigError("must be in [0, 1]", {}, "network.dropout_prob");
    const std::string& mode = op.upsample_mode();
    if (mode != "nontrainable" && mode != "deconv" && mode != "pixelshuffle")
        throw ConfigError("must be nontrainable, deconv or pixelshuffle, got \"" + mode + "\"", {},
                          "network.upsample_mode");
    norm_ = op.norm();
    if (!op.norm_name().empty()) {
        std::string n = op.norm_name();
        for (auto& c : n)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        if (n != "group")
            throw ConfigError("deprecated option: only \"group\" is accepted, use norm instead", {},
                              "network.norm_name");
        norm_ = LayerSpec("group", {{"num_groups", op.num_groups()}});
    }

    act_ = makeActivation(op.act());
    if (!act_.is_empty())
        register_module("act_mod", act_.ptr());
    const int64_t f = op.init_filters();
    convInit_ = convLayer(dims, op.in_channels(), f, 3, 1, false);
    register_module("convInit", convInit_.ptr());

    auto downs = register_module("down_layers", nn::ModuleList());
    for (size_t i = 0; i < op.blocks_down().size(); ++i) {
        const int64_t ch = f << i;
        Sequence s;
        add(s, "0", i > 0 ? convLayer(dims, ch / 2, ch, 3, 2, false) : nn::AnyModule());
        for (int64_t b = 0; b < op.blocks_down()[i]; ++b)
            s->push_back(SegResBlock(dims, ch, norm_, op.act()));
        downLayers_.push_back(s);
        downs->push_back(s);
    }
    auto upl = register_module("up_layers", nn::ModuleList());
    auto ups = register_module("up_samples", nn::ModuleList());
    const size_t nUp = op.blocks_up().size();
    for (size_t i = 0; i < nUp; ++i) {
        const int64_t ch = f << (nUp - i);
        Sequence layer;
        for (int64_t b = 0; b < op.blocks_up()[i]; ++b)
            layer->push_back(SegResBlock(dims, ch / 2, norm_, op.act()));
        Sequence sample;
        sample->push_back(convLayer(dims, ch, ch / 2, 1, 1, false));
        sample->push_back(upsampleLayer(ch / 2));
        upLayers_.push_back(layer);
        upSamples_.push_back(sample);
        upl->push_back(layer);
        ups->push_back(sample);
    }
    convFinal_ = register_module("conv_final", finalConv(op.out_channels()));
    if (op.dropout_prob()) {
        dropout_ = makeDropout(LayerSpec::dropout(*op.dropout_prob()), dims);
        register_module("dropout", dropout_.ptr());
    }
}

nn::AnyModule SegResNetImpl::upsampleLayer(int64_t channels) const {
    UpSampleOptions u;
    u.spatial_dims = int(options_.spatial_dims());
    u.in_channels = channels;
    u.out_channels = channels;
    u.scale_factor = {2};
    u.mode = options_.upsample_mode();
    u.interp_mode = "linear";
    u.align_corners = false;
    return nn::AnyModule(UpSample(u, "network.upsample_mode"));
}

Sequence SegResNetImpl::finalConv(int64_t out) {
    const int dims = int(options_.spatial_dims());
    Sequence s;
    add(s, "0", makeNorm(norm_, dims, options_.init_filters()));
    if (act_.is_empty()) {
        s->push_back("1", nn::Identity());
    } else {
        nn::AnyModule act = act_;
        s->push_back(
            "1", ModuleAlias(*act_.ptr(), [act](at::Tensor x) mutable { return act.forward(x); }));
    }
    s->push_back("2", convLayer(dims, options_.init_filters(), out, 1, 1, true));
    return s;
}

at::Tensor SegResNetImpl::encode(at::Tensor x, std::vector<at::Tensor>& down) {
    x = convInit_.forward(x);
    x = run(dropout_, x);
    for (auto& d : downLayers_) {
        x = d->forward(x);
        down.push_back(x);
    }
    return x;
}

at::Tensor SegResNetImpl::decode(at::Tensor x, const std::vector<at::Tensor>& down) {
    // down is shallowest first; MONAI reverses it and adds down_x[i + 1].
    const size_t n = down.size();
    for (size_t i = 0; i < upSamples_.size(); ++i) {
        x = upSamples_[i]->forward(x) + down[n - 2 - i];
        x = upLayers_[i]->forward(x);
    }
    if (options_.use_conv_final())
        x = convFinal_->forward(x);
    return x;
}

at::Tensor SegResNetImpl::forward(at::Tensor x) {
    std::vector<at::Tensor> down;
    x = encode(x, down);
    return decode(x, down);
}

int64_t SegResNetImpl::outChannels() const {
    return options_.use_conv_final() ? options_.out_channels() : options_.init_filters();
}

int64_t SegResNetImpl::sizeDivisor() const {
    return int64_t(1) << (options_.blocks_down().size() - 1);
}

ComponentInfo SegResNetImpl::info() {
    return {"SegResNet",
            "network",
            "MONAI's SegResNet: residual encoder-decoder (weight-compatible).",
            {spatialDimsParam(),
             {"init_filters", ParamType::Int, 8, 1, 1e4, {}, "channels of the first level"},
             channelsParam("in_channels", 1, "input channels"),
             channelsParam("out_channels", 2, "output channels (classes)"),
             {"dropout_prob",
              ParamType::Object,
              "none",
              0,
              0,
              {},
              "dropout after the first conv (Dropout2d/3d); null: none"},
             layerParam("act", Json::array({"RELU", {{"inplace", true}}}),
                        "activation: name or [name, {arguments}]"),
             layerParam("norm", Json::array({"GROUP", {{"num_groups", 8}}}),
                        "normalisation: name or [name, {arguments}]"),
             {"norm_name",
              ParamType::String,
              "",
              0,
              0,
              {"", "group", "GROUP"},
              "deprecated: \"group\" uses group norm of num_groups"},
             {"num_groups", ParamType::Int, 8, 1, 1e4, {}, "groups for norm_name \"group\""},
             {"use_conv_final", ParamType::Bool, true, 0, 1, {}, "final norm, act and 1x1 conv"},
             {"blocks_down",
              ParamType::IntList,
              Json{1, 2, 2, 4},
              0,
              100,
              {},
              "residual blocks per encoder level"},
             {"blocks_up",
              ParamType::IntList,
              Json{1, 1, 1},
              0,
              100,
              {},
              "residual blocks per decoder level"},
             {"upsample_mode",
              ParamType::String,
              "nontrainable",
              0,
              0,
              {"nontrainable", "deconv", "pixelshuffle"},
              "up-sampling"}}};
}

std::optional<double> readDropoutProb(const ParamReader& r) {
    const Json& v = r.raw("dropout_prob");
    if (v.is_null() || (v.is_string() && (v == "none" || v == "")))
        return std::nullopt;
    if (!v.is_number())
        throw ConfigError("must be a probability or null", {}, r.field("dropout_prob"));
    return v.get<double>();
}

std::shared_ptr<Network> SegResNetImpl::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<SegResNetImpl>(SegResNetOptions()
                                               .spatial_dims(r.integer("spatial_dims"))
                                               .init_filters(r.integer("init_filters"))
                                               .in_channels(r.integer("in_channels"))
                                               .out_channels(r.integer("out_channels"))
                                               .dropout_prob(readDropoutProb(r))
                                               .act(readLayer(r, "act"))
                                               .norm(readLayer(r, "norm"))
                                               .norm_name(r.string("norm_name"))
                                               .num_groups(r.integer("num_groups"))
                                               .use_conv_final(r.boolean("use_conv_final"))
                                               .blocks_down(r.intList("blocks_down"))
                                               .blocks_up(r.intList("blocks_up"))
                                               .upsample_mode(r.string("upsample_mode")));
}

Json SegResNetImpl::toJson() const {
    const auto& o = options_;
    return {{"name", "SegResNet"},
            {"spatial_dims", o.spatial_dims()},
            {"init_filters", o.init_filters()},
            {"in_channels", o.in_channels()},
            {"out_channels", o.out_channels()},
            {"dropout_prob", o.dropout_prob() ? Json(*o.dropout_prob()) : Json(nullptr)},
            {"act", o.act().toJson()},
            {"norm", o.norm().toJson()},
            {"norm_name", o.norm_name()},
            {"num_groups", o.num_groups()},
            {"use_conv_final", o.use_conv_final()},
            {"blocks_down", o.blocks_down()},
            {"blocks_up", o.blocks_up()},
            {"upsample_mode", o.upsample_mode()}};
}

} // namespace medulla
