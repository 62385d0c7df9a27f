#include "engine/networks/AHNet.h"

#include <torch/torch.h>

#include <cmath>

#include "engine/networks/Layers.h"
#include "engine/networks/NetworkParams.h"

namespace medulla {
namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

using Ints = std::vector<int64_t>;

/// MONAI's (a, b, c)[-dims:]: the last `dims` values.
Ints tail(int64_t a, int64_t b, int64_t c, int dims) {
    return dims == 3 ? Ints{a, b, c} : Ints{b, c};
}
/// MONAI's (a, b, c)[:dims]: the first `dims` values.
Ints head(int64_t a, int64_t b, int64_t c, int dims) {
    return dims == 3 ? Ints{a, b, c} : Ints{a, b};
}

nn::AnyModule conv(int dims, int64_t in, int64_t out, Ints k, Ints s = {1}, Ints p = {0},
                   bool bias = false, bool transposed = false) {
    ConvSpec c;
    c.spatial_dims = dims;
    c.in_channels = in;
    c.out_channels = out;
    c.kernel_size = std::move(k);
    c.stride = std::move(s);
    c.padding = std::move(p);
    c.output_padding = {0};
    c.bias = bias;
    c.transposed = transposed;
    return makeConv(c);
}

nn::AnyModule bn(int dims, int64_t c) {
    return makeNorm("batch", dims, c);
}

nn::AnyModule maxPool(int dims, Ints k, Ints s, Ints p = {0}) {
    return makePool(LayerSpec("max", {{"kernel_size", k}, {"stride", s}, {"padding", p}}), dims);
}

/// nn.Upsample(scale_factor=2) in `mode`, align_corners for the linear modes.
nn::AnyModule upsample(int dims, const std::string& mode) {
    auto o = nn::UpsampleOptions().scale_factor(std::vector<double>(size_t(dims), 2.0));
    if (mode == "nearest")
        o.mode(torch::kNearest);
    else if (mode == "bilinear")
        o.mode(torch::kBilinear).align_corners(true);
    else
        o.mode(torch::kTrilinear).align_corners(true);
    return nn::AnyModule(nn::Upsample(o));
}

/// norm, relu, conv(kernel, padding), then "up" unless mode is empty.
Sequence normReluConv(int dims, int64_t in, int64_t out, Ints k, Ints p, const std::string& mode) {
    Sequence s;
    s->push_back("norm", bn(dims, in));
    s->push_back("relu", nn::ReLU());
    s->push_back("conv", conv(dims, in, out, std::move(k), {1}, std::move(p)));
    if (mode == "transpose")
        s->push_back("up", conv(dims, out, out, {2}, {2}, {0}, false, true));
    else if (!mode.empty())
        s->push_back("up", upsample(dims, mode));
    return s;
}

/// MONAI's Bottleneck3x3x1 (expansion 4).
class BottleneckImpl : public nn::Module {
public:
    BottleneckImpl(int dims, int64_t inplanes, int64_t planes, Ints stride, Sequence downsample) {
        conv1_ = conv(dims, inplanes, planes, {1});
        register_module("conv1", conv1_.ptr());
        bn1_ = bn(dims, planes);
        register_module("bn1", bn1_.ptr());
        conv2_ =
            conv(dims, planes, planes, tail(3, 3, 1, dims), std::move(stride), tail(1, 1, 0, dims));
        register_module("conv2", conv2_.ptr());
        bn2_ = bn(dims, planes);
        register_module("bn2", bn2_.ptr());
        conv3_ = conv(dims, planes, planes * 4, {1});
        register_module("conv3", conv3_.ptr());
        bn3_ = bn(dims, planes * 4);
        register_module("bn3", bn3_.ptr());
        if (downsample)
            downsample_ = register_module("downsample", downsample);
        pool_ = maxPool(dims, tail(1, 1, 2, dims), tail(1, 1, 2, dims));
    }
    at::Tensor forward(at::Tensor x) {
        at::Tensor out = torch::relu(bn1_.forward(conv1_.forward(x)));
        out = torch::relu(bn2_.forward(conv2_.forward(out)));
        out = bn3_.forward(conv3_.forward(out));
        at::Tensor residual = x;
        if (downsample_) {
            residual = downsample_->forward(x);
            if (out.sizes() != residual.sizes())
                out = pool_.forward(out);
        }
        return torch::relu(out + residual);
    }

private:
    nn::AnyModule conv1_, bn1_, conv2_, bn2_, conv3_, bn3_, pool_;
    Sequence downsample_{nullptr};
};
TORCH_MODULE(Bottleneck);

/// MONAI's Pseudo3DLayer: 1x1 bottleneck, 3x3x1 and 1x1x3 convolutions
/// summed, 1x1 to growth_rate channels; the output is [input, new features].
class Pseudo3DLayerImpl : public nn::Module {
public:
    Pseudo3DLayerImpl(int dims, int64_t in, int64_t growth, int64_t bnSize) {
        const int64_t mid = bnSize * growth;
        add("bn1", bn(dims, in));
        add("conv1", conv(dims, in, mid, {1}));
        add("bn2", bn(dims, mid));
        add("conv2", conv(dims, mid, growth, tail(3, 3, 1, dims), {1}, tail(1, 1, 0, dims)));
        add("bn3", bn(dims, growth));
        add("conv3", conv(dims, growth, growth, tail(1, 1, 3, dims), {1}, tail(0, 0, 1, dims)));
        add("bn4", bn(dims, growth));
        add("conv4", conv(dims, growth, growth, {1}));
    }
    at::Tensor forward(at::Tensor x) {
        at::Tensor y = m_[1].forward(torch::relu(m_[0].forward(x)));
        at::Tensor a = m_[3].forward(torch::relu(m_[2].forward(y)));
        at::Tensor b = m_[5].forward(torch::relu(m_[4].forward(a)));
        at::Tensor f = m_[7].forward(torch::relu(m_[6].forward(a + b)));
        return torch::cat({x, f}, 1);
    }

private:
    void add(const std::string& name, nn::AnyModule m) {
        register_module(name, m.ptr());
        m_.push_back(std::move(m));
    }
    std::vector<nn::AnyModule> m_; ///< bn1, conv1, bn2, conv2, bn3, conv3, bn4, conv4
};
TORCH_MODULE(Pseudo3DLayer);

Sequence denseBlock(int dims, int64_t layers, int64_t in, int64_t bnSize, int64_t growth) {
    Sequence s;
    for (int64_t i = 0; i < layers; ++i)
        s->push_back("denselayer" + std::to_string(i + 1),
                     Pseudo3DLayer(dims, in + i * growth, growth, bnSize));
    return s;
}

} // namespace

/// MONAI's PSP: per branch i, max-pool by 2**(i+3) (not along the last
/// axis), a 1x1 projection to one channel (padded by 1 in-plane), and
/// up-sampling back (transposed conv, or interpolation to the input size).
class AHNetPSPImpl : public nn::Module {
public:
    AHNetPSPImpl(int dims, int64_t blocks, int64_t in, std::string mode) : mode_(std::move(mode)) {
        auto ups = register_module("up_modules", nn::ModuleList());
        auto pools = register_module("pool_modules", nn::ModuleList());
        auto projects = register_module("project_modules", nn::ModuleList());
        for (int64_t i = 0; i < blocks; ++i) {
            const int64_t s = int64_t(1) << (i + 3);
            pool_.push_back(maxPool(dims, tail(s, s, 1, dims), tail(s, s, 1, dims)));
            pools->push_back(pool_.back().ptr());
            project_.push_back(conv(dims, in, 1, {1}, {1}, tail(1, 1, 0, dims), true));
            projects->push_back(project_.back().ptr());
        }
        if (mode_ == "transpose")
            for (int64_t i = 0; i < blocks; ++i) {
                const int64_t s = int64_t(1) << (i + 3);
                up_.push_back(conv(dims, 1, 1, tail(s, s, 1, dims), tail(s, s, 1, dims),
                                   tail(s, s, 0, dims), true, true));
                ups->push_back(up_.back().ptr());
            }
    }
    at::Tensor forward(at::Tensor x) {
        std::vector<at::Tensor> outs;
        for (size_t i = 0; i < pool_.size(); ++i) {
            at::Tensor y = project_[i].forward(pool_[i].forward(x));
            if (mode_ == "transpose") {
                outs.push_back(up_[i].forward(y));
                continue;
            }
            auto o = F::InterpolateFuncOptions().size(x.sizes().slice(2).vec());
            if (mode_ == "nearest")
                o.mode(torch::kNearest);
            else
                o.mode(mode_ == "bilinear" ? F::InterpolateFuncOptions::mode_t(torch::kBilinear)
                                           : F::InterpolateFuncOptions::mode_t(torch::kTrilinear))
                    .align_corners(true);
            outs.push_back(F::interpolate(y, o));
        }
        return torch::cat(outs, 1);
    }

private:
    std::string mode_;
    std::vector<nn::AnyModule> pool_, project_, up_;
};

AHNetImpl::AHNetImpl(AHNetOptions o) : options_(std::move(o)) {
    const int64_t d64 = options_.spatial_dims();
    if (d64 != 2 && d64 != 3)
        throw ConfigError("must be 2 or 3, got " + std::to_string(d64), {}, "network.spatial_dims");
    const int dims = int(d64);
    if (options_.layers().size() != 4)
        throw ConfigError("needs 4 values (blocks of layer1..layer4), got " +
                              std::to_string(options_.layers().size()),
                          {}, "network.layers");
    for (auto n : options_.layers())
        if (n < 1)
            throw ConfigError("every value must be >= 1", {}, "network.layers");
    if (options_.in_channels() < 1 || options_.out_channels() < 1)
        throw ConfigError("must be >= 1", {}, "network.in_channels/out_channels");
    if (options_.psp_block_num() < 0 || options_.psp_block_num() > 4)
        throw ConfigError("must be 0..4, got " + std::to_string(options_.psp_block_num()), {},
                          "network.psp_block_num");
    const std::string& mode = options_.upsample_mode();
    if (mode != "transpose" && mode != "nearest" && mode != (dims == 2 ? "bilinear" : "trilinear"))
        throw ConfigError("must be transpose, nearest or " +
                              std::string(dims == 2 ? "bilinear" : "trilinear") + " in " +
                              std::to_string(dims) + "D, got \"" + mode + "\"",
                          {}, "network.upsample_mode");
    if (options_.pretrained())
        throw ConfigError("pretrained weights need a download (torchvision's ResNet-50); load a "
                          "MONAI state dict instead",
                          {}, "network.pretrained");

    conv1_ = conv(dims, options_.in_channels(), 64, tail(7, 7, 3, dims), tail(2, 2, 1, dims),
                  tail(3, 3, 1, dims));
    register_module("conv1", conv1_.ptr());
    pool1_ = maxPool(dims, tail(1, 1, 2, dims), tail(1, 1, 2, dims));
    register_module("pool1", pool1_.ptr());
    bn0_ = bn(dims, 64);
    register_module("bn0", bn0_.ptr());
    if (mode == "transpose" || mode == "nearest")
        maxpool_ = maxPool(dims, {2}, {2});
    else
        maxpool_ = maxPool(dims, {3}, {2}, {1});
    register_module("maxpool", maxpool_.ptr());

    int64_t inplanes = 64;
    auto makeLayer = [&](int64_t planes, int64_t blocks, int64_t stride) {
        Sequence downsample{nullptr};
        if (stride != 1 || inplanes != planes * 4) {
            downsample = Sequence();
            downsample->push_back(
                conv(dims, inplanes, planes * 4, {1}, head(stride, stride, 1, dims)));
            downsample->push_back(
                maxPool(dims, head(1, 1, stride, dims), head(1, 1, stride, dims)));
            downsample->push_back(bn(dims, planes * 4));
        }
        Sequence layer;
        layer->push_back(
            Bottleneck(dims, inplanes, planes, head(stride, stride, 1, dims), downsample));
        inplanes = planes * 4;
        for (int64_t i = 1; i < blocks; ++i)
            layer->push_back(Bottleneck(dims, inplanes, planes, Ints{1}, Sequence{nullptr}));
        return layer;
    };
    const auto& L = options_.layers();
    layer1_ = register_module("layer1", makeLayer(64, L[0], 1));
    layer2_ = register_module("layer2", makeLayer(128, L[1], 2));
    layer3_ = register_module("layer3", makeLayer(256, L[2], 2));
    layer4_ = register_module("layer4", makeLayer(512, L[3], 2));

    const int64_t growth = 20, bnSize = 4, nDense = 3, initFeatures = 64;
    const int64_t res1 = 256, res2 = 512, res3 = 1024, res4 = 2048;
    const Ints k1{1}, p0{0};
    up0_ = register_module("up0", normReluConv(dims, res4, res3, k1, p0, mode));
    dense0_ = register_module("dense0", denseBlock(dims, nDense, res3, bnSize, growth));
    up1_ = register_module("up1", normReluConv(dims, res3 + nDense * growth, res2, k1, p0, mode));
    dense1_ = register_module("dense1", denseBlock(dims, nDense, res2, bnSize, growth));
    up2_ = register_module("up2", normReluConv(dims, res2 + nDense * growth, res1, k1, p0, mode));
    dense2_ = register_module("dense2", denseBlock(dims, nDense, res1, bnSize, growth));
    trans1_ = register_module("trans1",
                              normReluConv(dims, res1 + nDense * growth, initFeatures, k1, p0, ""));
    dense3_ = register_module("dense3", denseBlock(dims, nDense, initFeatures, bnSize, growth));
    up3_ = register_module(
        "up3", normReluConv(dims, initFeatures + nDense * growth, initFeatures, k1, p0, mode));
    dense4_ = register_module("dense4", denseBlock(dims, nDense, initFeatures, bnSize, growth));
    const int64_t dense4Out = initFeatures + nDense * growth;
    psp_ = register_module(
        "psp", std::make_shared<AHNetPSPImpl>(dims, options_.psp_block_num(), dense4Out, mode));
    final_ = register_module("final", normReluConv(dims, options_.psp_block_num() + dense4Out,
                                                   options_.out_channels(), tail(3, 3, 1, dims),
                                                   tail(1, 1, 0, dims), mode));

    // MONAI's initialisation.
    torch::NoGradGuard guard;
    for (const auto& m : modules(false)) {
        at::Tensor w;
        int64_t out = 0;
        if (dims == 3) {
            if (auto* c = m->as<nn::Conv3dImpl>())
                w = c->weight, out = c->options.out_channels();
            else if (auto* t = m->as<nn::ConvTranspose3dImpl>())
                w = t->weight, out = t->options.out_channels();
            else if (auto* b = m->as<nn::BatchNorm3dImpl>())
                b->weight.fill_(1), b->bias.zero_();
        } else {
            if (auto* c = m->as<nn::Conv2dImpl>())
                w = c->weight, out = c->options.out_channels();
            else if (auto* t = m->as<nn::ConvTranspose2dImpl>())
                w = t->weight, out = t->options.out_channels();
            else if (auto* b = m->as<nn::BatchNorm2dImpl>())
                b->weight.fill_(1), b->bias.zero_();
        }
        if (w.defined())
            w.normal_(0, std::sqrt(2.0 / double(w.size(2) * w.size(3) * out)));
    }
}

at::Tensor AHNetImpl::forward(at::Tensor x) {
    x = torch::relu(bn0_.forward(pool1_.forward(conv1_.forward(x))));
    at::Tensor convX = x;
    x = maxpool_.forward(x);
    at::Tensor poolX = x;
    at::Tensor fm1 = layer1_->forward(x);
    at::Tensor fm2 = layer2_->forward(fm1);
    at::Tensor fm3 = layer3_->forward(fm2);
    at::Tensor fm4 = layer4_->forward(fm3);
    at::Tensor d0 = dense0_->forward(up0_->forward(fm4) + fm3);
    at::Tensor d1 = dense1_->forward(up1_->forward(d0) + fm2);
    at::Tensor d2 = dense2_->forward(up2_->forward(d1) + fm1);
    at::Tensor d3 = dense3_->forward(trans1_->forward(d2) + poolX);
    at::Tensor d4 = dense4_->forward(up3_->forward(d3) + convX);
    if (options_.psp_block_num() > 0)
        d4 = torch::cat({psp_->forward(d4), d4}, 1);
    return final_->forward(d4);
}

int64_t AHNetImpl::sizeDivisor() const {
    if (options_.upsample_mode() == "transpose")
        return std::max<int64_t>(32, int64_t(1) << (options_.psp_block_num() + 3));
    return 32;
}

ComponentInfo AHNetImpl::info() {
    return {
        "AHNet",
        "network",
        "MONAI's Anisotropic Hybrid Network, 2D or 3D (weight-compatible).",
        {{"layers", ParamType::IntList, Json{3, 4, 6, 3}, 1, 64, {}, "blocks of layer1..layer4"},
         {"spatial_dims", ParamType::Int, 3, 2, 3, {}, "number of spatial dimensions (2 or 3)"},
         channelsParam("in_channels", 1, "input channels"),
         channelsParam("out_channels", 1, "output channels (classes)"),
         {"psp_block_num", ParamType::Int, 4, 0, 4, {}, "pyramid pooling branches"},
         {"upsample_mode",
          ParamType::String,
          "transpose",
          0,
          0,
          {"transpose", "bilinear", "trilinear", "nearest"},
          "up-sampling: transposed conv, or interpolation (bilinear 2D, trilinear 3D)"},
         {"pretrained", ParamType::Bool, false, 0, 1, {}, "unsupported (needs a download)"},
         {"progress", ParamType::Bool, true, 0, 1, {}, "unused (download progress)"}}};
}

std::shared_ptr<Network> AHNetImpl::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<AHNetImpl>(AHNetOptions()
                                           .layers(r.intList("layers"))
                                           .spatial_dims(r.integer("spatial_dims"))
                                           .in_channels(r.integer("in_channels"))
                                           .out_channels(r.integer("out_channels"))
                                           .psp_block_num(r.integer("psp_block_num"))
                                           .upsample_mode(r.string("upsample_mode"))
                                           .pretrained(r.boolean("pretrained"))
                                           .progress(r.boolean("progress")));
}

Json AHNetImpl::toJson() const {
    const auto& o = options_;
    return {{"name", "AHNet"},
            {"layers", o.layers()},
            {"spatial_dims", o.spatial_dims()},
            {"in_channels", o.in_channels()},
            {"out_channels", o.out_channels()},
            {"psp_block_num", o.psp_block_num()},
            {"upsample_mode", o.upsample_mode()},
            {"pretrained", o.pretrained()},
            {"progress", o.progress()}};
}

} // namespace medulla
