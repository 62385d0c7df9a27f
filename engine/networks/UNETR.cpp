#include "engine/networks/UNETR.h"

#include <torch/torch.h>

#include "engine/networks/Layers.h"
#include "engine/networks/NetworkParams.h"

namespace medulla {
namespace {
constexpr int64_t kPatch = 16;
constexpr int64_t kLayers = 12;

std::string lower(std::string s) {
    for (auto& c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
} // namespace

UNETRImpl::UNETRImpl(UNETROptions o) : options_(std::move(o)) {
    const auto& op = options_;
    checkSpatialDims(op.spatial_dims(), "network.spatial_dims");
    const int dims = int(op.spatial_dims());
    if (op.in_channels() < 1 || op.out_channels() < 1)
        throw ConfigError("must be >= 1", {}, "network.in_channels/out_channels");
    if (op.feature_size() < 1)
        throw ConfigError("must be >= 1", {}, "network.feature_size");
    if (op.hidden_size() < 1 || op.num_heads() < 1 || op.mlp_dim() < 0)
        throw ConfigError("hidden_size and num_heads must be >= 1, mlp_dim >= 0", {},
                          "network.hidden_size");
    if (!(op.dropout_rate() >= 0 && op.dropout_rate() <= 1))
        throw ConfigError("should be between 0 and 1", {}, "network.dropout_rate");
    if (op.hidden_size() % op.num_heads() != 0)
        throw ConfigError("hidden_size " + std::to_string(op.hidden_size()) +
                              " should be divisible by num_heads " + std::to_string(op.num_heads()),
                          {}, "network.hidden_size");
    const std::string proj = lower(op.proj_type());
    if (proj != "conv" && proj != "perceptron")
        throw ConfigError("must be \"conv\" or \"perceptron\", got \"" + op.proj_type() + "\"", {},
                          "network.proj_type");
    options_.proj_type(proj);
    imgSize_ = perAxis(op.img_size(), dims, "network.img_size");
    for (auto s : imgSize_) {
        if (s < kPatch || s % kPatch != 0)
            throw ConfigError("every size must be a positive multiple of the patch size 16, got " +
                                  std::to_string(s),
                              {}, "network.img_size");
        featSize_.push_back(s / kPatch);
    }

    vit::ViTOptions v;
    v.embedding.spatial_dims = dims;
    v.embedding.in_channels = op.in_channels();
    v.embedding.img_size = imgSize_;
    v.embedding.patch_size = std::vector<int64_t>(size_t(dims), kPatch);
    v.embedding.hidden_size = op.hidden_size();
    v.embedding.proj_type = proj;
    v.embedding.dropout_rate = op.dropout_rate();
    v.mlp_dim = op.mlp_dim();
    v.num_layers = kLayers;
    v.num_heads = op.num_heads();
    v.qkv_bias = op.qkv_bias();
    v.save_attn = op.save_attn();
    vit_ = register_module("vit", vit::ViT(v));

    const int64_t f = op.feature_size(), h = op.hidden_size();
    auto block = [&](int64_t in, int64_t out) {
        unetr::ConvBlockOptions c;
        c.spatial_dims = dims;
        c.in_channels = in;
        c.out_channels = out;
        c.kernel_size = {3};
        c.stride = {1};
        c.norm_name = op.norm_name();
        return c;
    };
    const std::vector<int64_t> up{2};
    const bool res = op.res_block(), conv = op.conv_block();
    encoder1_ =
        register_module("encoder1", unetr::UnetrBasicBlock(block(op.in_channels(), f), res));
    encoder2_ =
        register_module("encoder2", unetr::UnetrPrUpBlock(block(h, f * 2), 2, up, conv, res));
    encoder3_ =
        register_module("encoder3", unetr::UnetrPrUpBlock(block(h, f * 4), 1, up, conv, res));
    encoder4_ =
        register_module("encoder4", unetr::UnetrPrUpBlock(block(h, f * 8), 0, up, conv, res));
    decoder5_ = register_module("decoder5", unetr::UnetrUpBlock(block(h, f * 8), up, res));
    decoder4_ = register_module("decoder4", unetr::UnetrUpBlock(block(f * 8, f * 4), up, res));
    decoder3_ = register_module("decoder3", unetr::UnetrUpBlock(block(f * 4, f * 2), up, res));
    decoder2_ = register_module("decoder2", unetr::UnetrUpBlock(block(f * 2, f), up, res));
    out_ = register_module("out", unetr::UnetOutBlock(dims, f, op.out_channels()));
}

at::Tensor UNETRImpl::projFeat(const at::Tensor& tokens) const {
    // (B, N, hidden) -> (B, *feat, hidden) -> (B, hidden, *feat)
    std::vector<int64_t> shape{tokens.size(0)};
    shape.insert(shape.end(), featSize_.begin(), featSize_.end());
    shape.push_back(options_.hidden_size());
    const int64_t dims = int64_t(featSize_.size());
    std::vector<int64_t> perm{0, dims + 1};
    for (int64_t d = 0; d < dims; ++d)
        perm.push_back(d + 1);
    return tokens.reshape(shape).permute(perm).contiguous();
}

at::Tensor UNETRImpl::forward(at::Tensor x) {
    const int64_t dims = int64_t(imgSize_.size());
    bool same = x.dim() == dims + 2 && x.size(1) == options_.in_channels();
    for (int64_t d = 0; same && d < dims; ++d)
        same = x.size(2 + d) == imgSize_[size_t(d)];
    if (!same)
        throw ConfigError("the input " + std::string(c10::str(x.sizes())) + " must be (B, " +
                              std::to_string(options_.in_channels()) + ", " +
                              c10::str(at::IntArrayRef(imgSize_)) + ")",
                          {}, "network.img_size");
    auto [tokens, hidden] = vit_->forward(x);
    at::Tensor enc1 = encoder1_->forward(x);
    at::Tensor enc2 = encoder2_->forward(projFeat(hidden[3]));
    at::Tensor enc3 = encoder3_->forward(projFeat(hidden[6]));
    at::Tensor enc4 = encoder4_->forward(projFeat(hidden[9]));
    at::Tensor dec3 = decoder5_->forward(projFeat(tokens), enc4);
    at::Tensor dec2 = decoder4_->forward(dec3, enc3);
    at::Tensor dec1 = decoder3_->forward(dec2, enc2);
    return out_->forward(decoder2_->forward(dec1, enc1));
}

ComponentInfo UNETRImpl::info() {
    return {
        "UNETR",
        "network",
        "MONAI's UNETR: ViT encoder (patch 16, 12 blocks) with a convolutional decoder "
        "(weight-compatible). The input must be exactly img_size.",
        {channelsParam("in_channels", 1, "input channels"),
         channelsParam("out_channels", 2, "output channels (classes)"),
         {"img_size", ParamType::IntList, 96, 16, 4096, {}, "input size (multiples of 16)"},
         {"feature_size", ParamType::Int, 16, 1, 1e5, {}, "decoder features"},
         {"hidden_size", ParamType::Int, 768, 1, 1e5, {}, "transformer width"},
         {"mlp_dim", ParamType::Int, 3072, 0, 1e6, {}, "transformer MLP width (0: hidden_size)"},
         {"num_heads", ParamType::Int, 12, 1, 1024, {}, "attention heads (divide hidden_size)"},
         {"pos_embed",
          ParamType::String,
          "conv",
          0,
          0,
          {"conv", "perceptron"},
          "deprecated name of proj_type"},
         {"proj_type", ParamType::String, "conv", 0, 0, {"conv", "perceptron"}, "patch embedding"},
         layerParam("norm_name", "instance", "normalisation: name or [name, {arguments}]"),
         {"conv_block", ParamType::Bool, true, 0, 1, {}, "convolutions in the projection blocks"},
         {"res_block", ParamType::Bool, true, 0, 1, {}, "residual convolution blocks"},
         {"dropout_rate", ParamType::Float, 0.0, 0, 1, {}, "transformer dropout"},
         spatialDimsParam(),
         {"qkv_bias", ParamType::Bool, false, 0, 1, {}, "bias of the qkv projection"},
         {"save_attn", ParamType::Bool, false, 0, 1, {}, "keep the attention matrices"}}};
}

std::shared_ptr<Network> UNETRImpl::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    // MONAI: the deprecated pos_embed stands for proj_type unless that is given.
    const std::string proj =
        r.has("proj_type") || !r.has("pos_embed") ? r.string("proj_type") : r.string("pos_embed");
    return std::make_shared<UNETRImpl>(UNETROptions()
                                           .in_channels(r.integer("in_channels"))
                                           .out_channels(r.integer("out_channels"))
                                           .img_size(r.intList("img_size"))
                                           .feature_size(r.integer("feature_size"))
                                           .hidden_size(r.integer("hidden_size"))
                                           .mlp_dim(r.integer("mlp_dim"))
                                           .num_heads(r.integer("num_heads"))
                                           .proj_type(proj)
                                           .norm_name(readLayer(r, "norm_name"))
                                           .conv_block(r.boolean("conv_block"))
                                           .res_block(r.boolean("res_block"))
                                           .dropout_rate(r.number("dropout_rate"))
                                           .spatial_dims(r.integer("spatial_dims"))
                                           .qkv_bias(r.boolean("qkv_bias"))
                                           .save_attn(r.boolean("save_attn")));
}

Json UNETRImpl::toJson() const {
    const auto& o = options_;
    return {{"name", "UNETR"},
            {"in_channels", o.in_channels()},
            {"out_channels", o.out_channels()},
            {"img_size", oneOrList(o.img_size())},
            {"feature_size", o.feature_size()},
            {"hidden_size", o.hidden_size()},
            {"mlp_dim", o.mlp_dim()},
            {"num_heads", o.num_heads()},
            {"proj_type", o.proj_type()},
            {"norm_name", o.norm_name().toJson()},
            {"conv_block", o.conv_block()},
            {"res_block", o.res_block()},
            {"dropout_rate", o.dropout_rate()},
            {"spatial_dims", o.spatial_dims()},
            {"qkv_bias", o.qkv_bias()},
            {"save_attn", o.save_attn()}};
}

} // namespace medulla
