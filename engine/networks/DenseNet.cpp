#include "engine/networks/DenseNet.h"

#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/networks/Layers.h"
#include "engine/networks/NetworkParams.h"
#include "engine/networks/WeightInit.h"

namespace medulla {
namespace nn = torch::nn;

namespace {

struct Variant {
    const char* name;
    std::vector<int64_t> blocks;
    const char* help;
};

const std::vector<Variant>& variants() {
    static const std::vector<Variant> v{
        {"DenseNet", {6, 12, 24, 16}, "MONAI's DenseNet classifier (weight-compatible)."},
        {"DenseNet121", {6, 12, 24, 16}, "MONAI's DenseNet121: blocks (6, 12, 24, 16)."},
        {"DenseNet169", {6, 12, 32, 32}, "MONAI's DenseNet169: blocks (6, 12, 32, 32)."},
        {"DenseNet201", {6, 12, 48, 32}, "MONAI's DenseNet201: blocks (6, 12, 48, 32)."},
        {"DenseNet264", {6, 12, 64, 48}, "MONAI's DenseNet264: blocks (6, 12, 64, 48)."}};
    return v;
}

const Variant& variantOf(const std::string& name) {
    for (const auto& v : variants())
        if (name == v.name)
            return v;
    throw ConfigError("unknown DenseNet variant \"" + name + "\"", {}, "name");
}

void pushIf(Sequence& seq, const std::string& name, nn::AnyModule m) {
    if (!m.is_empty())
        seq->push_back(name, std::move(m));
}

nn::AnyModule conv(int dims, int64_t in, int64_t out, int64_t kernel, int64_t stride,
                   int64_t padding) {
    ConvSpec c;
    c.spatial_dims = dims;
    c.in_channels = in;
    c.out_channels = out;
    c.kernel_size = {kernel};
    c.stride = {stride};
    c.padding = {padding};
    c.bias = false;
    return makeConv(c);
}

/// norm1 - act - 1x conv to bn_size * growth - norm2 - act - 3x conv to
/// growth [- dropout]; the output is the input with the new channels
/// appended (B, C + growth_rate, *spatial).
class DenseLayerImpl : public nn::Module {
public:
    DenseLayerImpl(const DenseNetOptions& o, int64_t in) {
        const int d = int(o.spatial_dims());
        const int64_t mid = o.bn_size() * o.growth_rate();
        Sequence s;
        pushIf(s, "norm1", makeNorm(o.norm(), d, in));
        pushIf(s, "relu1", makeActivation(o.act()));
        s->push_back("conv1", conv(d, in, mid, 1, 1, 0));
        pushIf(s, "norm2", makeNorm(o.norm(), d, mid));
        pushIf(s, "relu2", makeActivation(o.act()));
        s->push_back("conv2", conv(d, mid, o.growth_rate(), 3, 1, 1));
        if (o.dropout_prob() > 0)
            s->push_back("dropout", makeDropout(LayerSpec::dropout(o.dropout_prob()), d));
        layers_ = register_module("layers", s);
    }
    at::Tensor forward(at::Tensor x) { return torch::cat({x, layers_->forward(x)}, 1); }

private:
    Sequence layers_{nullptr};
};
TORCH_MODULE(DenseLayer);

LayerSpec withArgs(const char* name, Json args) {
    return LayerSpec(name, std::move(args));
}

} // namespace

DenseNetImpl::DenseNetImpl(DenseNetOptions o, std::string variant)
    : options_(std::move(o)), variant_(std::move(variant)) {
    const auto& opt = options_;
    checkSpatialDims(opt.spatial_dims(), "network.spatial_dims");
    auto positive = [](int64_t v, const char* field) {
        checkPositive(v, std::string("network.") + field);
    };
    positive(opt.in_channels(), "in_channels");
    positive(opt.out_channels(), "out_channels");
    positive(opt.init_features(), "init_features");
    positive(opt.growth_rate(), "growth_rate");
    positive(opt.bn_size(), "bn_size");
    if (opt.block_config().empty())
        throw ConfigError("needs at least one block", {}, "network.block_config");
    for (auto b : opt.block_config())
        if (b < 0)
            throw ConfigError("every value must be >= 0", {}, "network.block_config");
    if (!(opt.dropout_prob() >= 0 && opt.dropout_prob() <= 1))
        throw ConfigError("must be in [0, 1]", {}, "network.dropout_prob");

    const int d = int(opt.spatial_dims());
    Sequence f;
    f->push_back("conv0", conv(d, opt.in_channels(), opt.init_features(), 7, 2, 3));
    pushIf(f, "norm0", makeNorm(opt.norm(), d, opt.init_features()));
    pushIf(f, "relu0", makeActivation(opt.act()));
    f->push_back("pool0",
                 makePool(withArgs("max", {{"kernel_size", 3}, {"stride", 2}, {"padding", 1}}), d));
    int64_t channels = opt.init_features();
    const auto& blocks = opt.block_config();
    for (size_t i = 0; i < blocks.size(); ++i) {
        Sequence block;
        for (int64_t l = 0; l < blocks[i]; ++l)
            block->push_back("denselayer" + std::to_string(l + 1),
                             DenseLayer(opt, channels + l * opt.growth_rate()));
        f->push_back("denseblock" + std::to_string(i + 1), block);
        channels += blocks[i] * opt.growth_rate();
        if (i + 1 == blocks.size()) {
            pushIf(f, "norm5", makeNorm(opt.norm(), d, channels));
            break;
        }
        const int64_t out = channels / 2;
        if (out < 1)
            throw ConfigError("a transition would leave no channels", {}, "network.block_config");
        Sequence trans;
        pushIf(trans, "norm", makeNorm(opt.norm(), d, channels));
        pushIf(trans, "relu", makeActivation(opt.act()));
        trans->push_back("conv", conv(d, channels, out, 1, 1, 0));
        trans->push_back("pool", makePool(withArgs("avg", {{"kernel_size", 2}, {"stride", 2}}), d));
        f->push_back("transition" + std::to_string(i + 1), trans);
        channels = out;
    }
    features_ = register_module("features", f);

    Sequence c;
    pushIf(c, "relu", makeActivation(opt.act()));
    c->push_back("pool", makePool(withArgs("adaptiveavg", {{"output_size", 1}}), d));
    c->push_back("flatten", nn::Flatten(nn::FlattenOptions().start_dim(1)));
    c->push_back("out", nn::Linear(channels, opt.out_channels()));
    classLayers_ = register_module("class_layers", c);
    initClassifierWeights(*this);
}

at::Tensor DenseNetImpl::forward(at::Tensor x) {
    return classLayers_->forward(features_->forward(x));
}

ComponentInfo DenseNetImpl::info(const std::string& variant) {
    const Variant& v = variantOf(variant);
    const bool named = variant != "DenseNet";
    std::vector<ParamSpec> p{
        spatialDimsParam(),
        channelsParam("in_channels", 1, "input channels"),
        channelsParam("out_channels", 2, "output classes"),
        {"init_features", ParamType::Int, 64, 1, 1e5, {}, "filters of the first convolution"},
        {"growth_rate", ParamType::Int, 32, 1, 1e5, {}, "channels added by each dense layer"},
        {"block_config", ParamType::IntList, Json(v.blocks), 0, 1e4, {}, "dense layers per block"},
        {"bn_size", ParamType::Int, 4, 1, 1e3, {}, "bottleneck width: bn_size * growth_rate"},
        layerParam("act", Json::array({"relu", {{"inplace", true}}}),
                   "activation: name or [name, {arguments}]"),
        layerParam("norm", "batch", "normalisation: name or [name, {arguments}]"),
        {"dropout_prob", ParamType::Float, 0.0, 0, 1, {}, "dropout after each dense layer"}};
    if (named) {
        addPretrainedParams(p);
    }
    return {variant, "network", v.help, std::move(p)};
}

std::shared_ptr<Network> DenseNetImpl::fromJson(const std::string& variant, const Json& config,
                                                const std::string& context) {
    const ComponentInfo i = info(variant);
    ParamReader r(config, context, i.params);
    if (variant != "DenseNet")
        rejectPretrained(r, variant);
    return std::make_shared<DenseNetImpl>(DenseNetOptions()
                                              .spatial_dims(r.integer("spatial_dims"))
                                              .in_channels(r.integer("in_channels"))
                                              .out_channels(r.integer("out_channels"))
                                              .init_features(r.integer("init_features"))
                                              .growth_rate(r.integer("growth_rate"))
                                              .block_config(r.intList("block_config"))
                                              .bn_size(r.integer("bn_size"))
                                              .act(readLayer(r, "act"))
                                              .norm(readLayer(r, "norm"))
                                              .dropout_prob(r.number("dropout_prob")),
                                          variant);
}

std::vector<std::string> DenseNetImpl::variantNames() {
    std::vector<std::string> names;
    for (const auto& v : variants())
        names.push_back(v.name);
    return names;
}

Json DenseNetImpl::toJson() const {
    const auto& o = options_;
    Json j{{"name", variant_},
           {"spatial_dims", o.spatial_dims()},
           {"in_channels", o.in_channels()},
           {"out_channels", o.out_channels()},
           {"init_features", o.init_features()},
           {"growth_rate", o.growth_rate()},
           {"block_config", o.block_config()},
           {"bn_size", o.bn_size()},
           {"act", o.act().toJson()},
           {"norm", o.norm().toJson()},
           {"dropout_prob", o.dropout_prob()}};
    return j;
}

} // namespace medulla
