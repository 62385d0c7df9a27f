#include "engine/networks/SENet.h"

#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/networks/Layers.h"
#include "engine/networks/NetworkParams.h"
#include "engine/networks/WeightInit.h"

namespace medulla {
namespace nn = torch::nn;

namespace {

/// A registered name and MONAI's defaults for it. The named variants fix
/// the block; every other SENet parameter may be overridden, as MONAI's
/// keyword arguments allow.
struct Variant {
    const char* name;
    const char* block;
    std::vector<int64_t> layers;
    int64_t groups;
    Json dropout; ///< 0.2 or "none"
    int64_t inplanes;
    int64_t downsampleKernel;
    bool input3x3;
    const char* help;
};

const std::vector<Variant>& variants() {
    // SEResNet101/152 and SENet154 leave dropout_prob to SENet's default 0.2.
    static const std::vector<Variant> v{{"SENet",
                                         "se_bottleneck",
                                         {3, 8, 36, 3},
                                         64,
                                         0.2,
                                         128,
                                         3,
                                         true,
                                         "MONAI's SENet classifier (weight-compatible)."},
                                        {"SENet154",
                                         "se_bottleneck",
                                         {3, 8, 36, 3},
                                         64,
                                         0.2,
                                         128,
                                         3,
                                         true,
                                         "MONAI's SENet154 (SEBottleneck, groups 64)."},
                                        {"SEResNet50",
                                         "se_resnet_bottleneck",
                                         {3, 4, 6, 3},
                                         1,
                                         "none",
                                         64,
                                         1,
                                         false,
                                         "MONAI's SEResNet50."},
                                        {"SEResNet101",
                                         "se_resnet_bottleneck",
                                         {3, 4, 23, 3},
                                         1,
                                         0.2,
                                         64,
                                         1,
                                         false,
                                         "MONAI's SEResNet101."},
                                        {"SEResNet152",
                                         "se_resnet_bottleneck",
                                         {3, 8, 36, 3},
                                         1,
                                         0.2,
                                         64,
                                         1,
                                         false,
                                         "MONAI's SEResNet152."},
                                        {"SEResNeXt50",
                                         "se_resnetxt_bottleneck",
                                         {3, 4, 6, 3},
                                         32,
                                         "none",
                                         64,
                                         1,
                                         false,
                                         "MONAI's SEResNeXt50 (32 x 4d)."},
                                        {"SEResNeXt101",
                                         "se_resnetxt_bottleneck",
                                         {3, 4, 23, 3},
                                         32,
                                         "none",
                                         64,
                                         1,
                                         false,
                                         "MONAI's SEResNeXt101 (32 x 4d)."},
                                        {"SEResNext50",
                                         "se_resnetxt_bottleneck",
                                         {3, 4, 6, 3},
                                         32,
                                         "none",
                                         64,
                                         1,
                                         false,
                                         "MONAI's SEResNext50 (= SEResNeXt50)."},
                                        {"SEResNext101",
                                         "se_resnetxt_bottleneck",
                                         {3, 4, 23, 3},
                                         32,
                                         "none",
                                         64,
                                         1,
                                         false,
                                         "MONAI's SEResNext101 (= SEResNeXt101)."}};
    return v;
}

const Variant& variantOf(const std::string& name) {
    for (const auto& v : variants())
        if (name == v.name)
            return v;
    throw ConfigError("unknown SENet variant \"" + name + "\"", {}, "name");
}

SEBottleneckKind blockKind(const std::string& b) {
    if (b == "se_bottleneck" || b == "SEBottleneck")
        return SEBottleneckKind::SEBottleneck;
    if (b == "se_resnet_bottleneck" || b == "SEResNetBottleneck")
        return SEBottleneckKind::SEResNetBottleneck;
    if (b == "se_resnetxt_bottleneck" || b == "SEResNeXtBottleneck")
        return SEBottleneckKind::SEResNeXtBottleneck;
    throw ConfigError("unknown block \"" + b +
                          "\" (known: se_bottleneck, se_resnet_bottleneck, se_resnetxt_bottleneck)",
                      {}, "network.block");
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

} // namespace

SENetImpl::SENetImpl(SENetOptions o, std::string variant)
    : options_(std::move(o)), variant_(std::move(variant)) {
    const auto& opt = options_;
    checkSpatialDims(opt.spatial_dims(), "network.spatial_dims");
    auto positive = [](int64_t v, const char* field) {
        checkPositive(v, std::string("network.") + field);
    };
    positive(opt.in_channels(), "in_channels");
    positive(opt.num_classes(), "num_classes");
    positive(opt.groups(), "groups");
    positive(opt.reduction(), "reduction");
    positive(opt.inplanes(), "inplanes");
    positive(opt.downsample_kernel_size(), "downsample_kernel_size");
    if (opt.downsample_kernel_size() % 2 == 0)
        throw ConfigError("needs an odd kernel (same padding), got " +
                              std::to_string(opt.downsample_kernel_size()),
                          {}, "network.downsample_kernel_size");
    if (opt.layers().size() != 4)
        throw ConfigError("needs 4 values (blocks of layer1..layer4), got " +
                              std::to_string(opt.layers().size()),
                          {}, "network.layers");
    for (auto n : opt.layers())
        if (n < 1)
            throw ConfigError("every value must be >= 1", {}, "network.layers");
    if (opt.dropout_dim() < 1 || opt.dropout_dim() > 3)
        throw ConfigError("must be 1, 2 or 3", {}, "network.dropout_dim");
    if (opt.dropout_prob() && !(*opt.dropout_prob() >= 0 && *opt.dropout_prob() <= 1))
        throw ConfigError("must be in [0, 1] or null", {}, "network.dropout_prob");
    const SEBottleneckKind kind = blockKind(opt.block());

    const int d = int(opt.spatial_dims());
    auto bn = [&](int64_t c) { return makeNorm("batch", d, c); };
    Sequence l0;
    if (opt.input_3x3()) {
        l0->push_back("conv1", conv(d, opt.in_channels(), 64, 3, 2, 1));
        l0->push_back("bn1", bn(64));
        l0->push_back("relu1", nn::ReLU());
        l0->push_back("conv2", conv(d, 64, 64, 3, 1, 1));
        l0->push_back("bn2", bn(64));
        l0->push_back("relu2", nn::ReLU());
        l0->push_back("conv3", conv(d, 64, opt.inplanes(), 3, 1, 1));
        l0->push_back("bn3", bn(opt.inplanes()));
        l0->push_back("relu3", nn::ReLU());
    } else {
        l0->push_back("conv1", conv(d, opt.in_channels(), opt.inplanes(), 7, 2, 3));
        l0->push_back("bn1", bn(opt.inplanes()));
        l0->push_back("relu1", nn::ReLU());
    }
    l0->push_back(
        "pool",
        makePool(LayerSpec("max", {{"kernel_size", 3}, {"stride", 2}, {"ceil_mode", true}}), d));
    layer0_ = register_module("layer0", l0);
    inplanes_ = opt.inplanes();
    try {
        const int64_t dk = opt.downsample_kernel_size();
        layer1_ = register_module("layer1", makeLayer(kind, 64, opt.layers()[0], 1, 1));
        layer2_ = register_module("layer2", makeLayer(kind, 128, opt.layers()[1], 2, dk));
        layer3_ = register_module("layer3", makeLayer(kind, 256, opt.layers()[2], 2, dk));
        layer4_ = register_module("layer4", makeLayer(kind, 512, opt.layers()[3], 2, dk));
    } catch (const ConfigError& e) {
        if (e.field() == "r")
            throw ConfigError(e.message(), {}, "network.reduction");
        if (e.field() == "groups")
            throw ConfigError(e.message(), {}, "network.groups");
        throw;
    }
    avgPool_ = makePool(LayerSpec("adaptiveavg", {{"output_size", 1}}), d);
    register_module("adaptive_avg_pool", avgPool_.ptr());
    if (opt.dropout_prob()) {
        dropout_ = makeDropout(LayerSpec::dropout(*opt.dropout_prob()), int(opt.dropout_dim()));
        register_module("dropout", dropout_.ptr());
    }
    lastLinear_ = register_module("last_linear", nn::Linear(512 * 4, opt.num_classes()));
    initClassifierWeights(*this);
}

Sequence SENetImpl::makeLayer(SEBottleneckKind kind, int64_t planes, int64_t blocks, int64_t stride,
                              int64_t downsampleKernel) {
    const int d = int(options_.spatial_dims());
    std::optional<ConvolutionOptions> downsample;
    if (stride != 1 || inplanes_ != planes * 4) {
        ConvolutionOptions c;
        c.spatial_dims = d;
        c.in_channels = inplanes_;
        c.out_channels = planes * 4;
        c.strides = {stride};
        c.kernel_size = {downsampleKernel};
        c.act = LayerSpec();
        c.norm = "batch";
        c.bias = false;
        downsample = c;
    }
    Sequence layer;
    layer->push_back(SEBlock(seBottleneck(kind, d, inplanes_, planes, options_.groups(),
                                          options_.reduction(), stride, downsample)));
    inplanes_ = planes * 4;
    for (int64_t i = 1; i < blocks; ++i)
        layer->push_back(SEBlock(seBottleneck(kind, d, inplanes_, planes, options_.groups(),
                                              options_.reduction(), 1, std::nullopt)));
    return layer;
}

at::Tensor SENetImpl::forward(at::Tensor x) {
    x = layer0_->forward(x);
    x = layer1_->forward(x);
    x = layer2_->forward(x);
    x = layer3_->forward(x);
    x = layer4_->forward(x);
    x = avgPool_.forward(x);
    if (!dropout_.is_empty())
        x = dropout_.forward(x);
    return lastLinear_->forward(torch::flatten(x, 1));
}

ComponentInfo SENetImpl::info(const std::string& variant) {
    const Variant& v = variantOf(variant);
    const bool generic = variant == "SENet";
    std::vector<ParamSpec> p{spatialDimsParam(), channelsParam("in_channels", 1, "input channels")};
    if (generic)
        p.push_back({"block",
                     ParamType::String,
                     v.block,
                     0,
                     0,
                     {"se_bottleneck", "se_resnet_bottleneck", "se_resnetxt_bottleneck",
                      "SEBottleneck", "SEResNetBottleneck", "SEResNeXtBottleneck"},
                     "bottleneck of every residual block"});
    p.push_back({"layers",
                 ParamType::IntList,
                 Json(v.layers),
                 1,
                 1e4,
                 {},
                 "residual blocks of layer1..layer4"});
    p.push_back({"groups", ParamType::Int, v.groups, 1, 1e4, {}, "groups of the 3x convolutions"});
    p.push_back({"reduction", ParamType::Int, 16, 1, 1e4, {}, "squeeze-and-excitation ratio"});
    p.push_back({"dropout_prob",
                 ParamType::Object,
                 v.dropout,
                 0,
                 1,
                 {},
                 "dropout before the classifier: a probability or null (none)"});
    p.push_back(
        {"dropout_dim", ParamType::Int, 1, 1, 3, {}, "1: Dropout, 2: Dropout2d, 3: Dropout3d"});
    p.push_back({"inplanes", ParamType::Int, v.inplanes, 1, 1e5, {}, "channels entering layer1"});
    p.push_back({"downsample_kernel_size",
                 ParamType::Int,
                 v.downsampleKernel,
                 1,
                 15,
                 {},
                 "kernel of the projections in layer2..layer4"});
    p.push_back({"input_3x3",
                 ParamType::Bool,
                 v.input3x3,
                 0,
                 1,
                 {},
                 "layer0: three 3x convolutions instead of one 7x"});
    p.push_back(channelsParam("num_classes", 1000, "output classes"));
    if (!generic) {
        addPretrainedParams(p);
    }
    return {variant, "network", v.help, std::move(p)};
}

std::shared_ptr<Network> SENetImpl::fromJson(const std::string& variant, const Json& config,
                                             const std::string& context) {
    const ComponentInfo i = info(variant);
    const Variant& v = variantOf(variant);
    ParamReader r(config, context, i.params);
    const bool generic = variant == "SENet";
    if (!generic)
        rejectPretrained(r, variant);
    std::optional<double> dropout;
    const Json& dp = r.raw("dropout_prob");
    if (dp.is_number())
        dropout = dp.get<double>();
    else if (!(dp.is_null() || (dp.is_string() && (dp == "none" || dp == "None"))))
        throw ConfigError("expected a probability or null, got " + dp.dump(), {},
                          r.field("dropout_prob"));
    SENetOptions o;
    o.spatial_dims(r.integer("spatial_dims"))
        .in_channels(r.integer("in_channels"))
        .block(generic ? r.string("block") : std::string(v.block))
        .layers(r.intList("layers"))
        .groups(r.integer("groups"))
        .reduction(r.integer("reduction"))
        .dropout_prob(dropout)
        .dropout_dim(r.integer("dropout_dim"))
        .inplanes(r.integer("inplanes"))
        .downsample_kernel_size(r.integer("downsample_kernel_size"))
        .input_3x3(r.boolean("input_3x3"))
        .num_classes(r.integer("num_classes"));
    return std::make_shared<SENetImpl>(o, variant);
}

std::vector<std::string> SENetImpl::variantNames() {
    std::vector<std::string> names;
    for (const auto& v : variants())
        names.push_back(v.name);
    return names;
}

Json SENetImpl::toJson() const {
    const auto& o = options_;
    Json j{{"name", variant_},
           {"spatial_dims", o.spatial_dims()},
           {"in_channels", o.in_channels()},
           {"layers", o.layers()},
           {"groups", o.groups()},
           {"reduction", o.reduction()},
           {"dropout_prob", o.dropout_prob() ? Json(*o.dropout_prob()) : Json(nullptr)},
           {"dropout_dim", o.dropout_dim()},
           {"inplanes", o.inplanes()},
           {"downsample_kernel_size", o.downsample_kernel_size()},
           {"input_3x3", o.input_3x3()},
           {"num_classes", o.num_classes()}};
    if (variant_ == "SENet")
        j["block"] = o.block();
    return j;
}

} // namespace medulla
