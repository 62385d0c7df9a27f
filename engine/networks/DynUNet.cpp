#include "engine/networks/DynUNet.h"

#include <torch/torch.h>

#include <numeric>

#include "engine/networks/Layers.h"
#include "engine/networks/ModuleAlias.h"
#include "engine/networks/NetworkParams.h"

namespace medulla {
namespace nn = torch::nn;

namespace {

/// A list of levels, each an int or a list of ints; ConfigError names the field.
LevelSizes parseLevels(const Json& v, const std::string& field) {
    if (!v.is_array())
        throw ConfigError("must be a list (one entry per level, each an int or a list of ints)", {},
                          field);
    LevelSizes out;
    for (size_t i = 0; i < v.size(); ++i) {
        const std::string f = field + "[" + std::to_string(i) + "]";
        const Json& e = v[i];
        if (e.is_number_integer()) {
            out.push_back({e.get<int64_t>()});
        } else if (e.is_array() && !e.empty()) {
            std::vector<int64_t> axes;
            for (const auto& a : e) {
                if (!a.is_number_integer())
                    throw ConfigError("must be an int or a list of ints", {}, f);
                axes.push_back(a.get<int64_t>());
            }
            out.push_back(axes);
        } else {
            throw ConfigError("must be an int or a list of ints", {}, f);
        }
        for (auto a : out.back())
            if (a < 1)
                throw ConfigError("every value must be >= 1", {}, f);
    }
    return out;
}

Json levelsJson(const LevelSizes& l) {
    Json j = Json::array();
    for (const auto& e : l)
        j.push_back(e.size() == 1 ? Json(e[0]) : Json(e));
    return j;
}

void checkLevels(const LevelSizes& l, int dims, const std::string& field) {
    for (size_t i = 0; i < l.size(); ++i)
        if (l[i].size() != 1 && l[i].size() != size_t(dims))
            throw ConfigError("needs one value or " + std::to_string(dims) + " (spatial_dims)", {},
                              field + "[" + std::to_string(i) + "]");
}

nn::AnyModule outBlock(const UnetBlockOptions& o, int64_t in, int64_t out) {
    // MONAI's UnetOutBlock: a module whose "conv" is a 1x1 Convolution.
    Sequence s;
    s->push_back("conv", dynConv(o, in, out, {1}, {1}, true, false));
    return nn::AnyModule(s);
}

} // namespace

DynUNetImpl::DynUNetImpl(DynUNetOptions o) : options_(std::move(o)) {
    const auto& op = options_;
    checkSpatialDims(op.spatial_dims(), "network.spatial_dims");
    const int dims = int(op.spatial_dims());
    if (op.in_channels() < 1 || op.out_channels() < 1)
        throw ConfigError("must be >= 1", {}, "network.in_channels/out_channels");
    const auto& k = op.kernel_size();
    const auto& s = op.strides();
    const size_t n = s.size();
    if (k.size() != n || n < 3)
        throw ConfigError(
            "kernel_size and strides need the same number of levels, at least 3 (got " +
                std::to_string(k.size()) + " and " + std::to_string(n) + ")",
            {}, "network.kernel_size");
    checkLevels(k, dims, "network.kernel_size");
    checkLevels(s, dims, "network.strides");
    if (op.upsample_kernel_size().size() < n - 1)
        throw ConfigError("needs len(strides) - 1 = " + std::to_string(n - 1) + " levels", {},
                          "network.upsample_kernel_size");
    checkLevels(op.upsample_kernel_size(), dims, "network.upsample_kernel_size");
    // MONAI zips the reversed list with n - 1 levels: the last n - 1 entries count.
    const LevelSizes upk(op.upsample_kernel_size().end() - long(n - 1),
                         op.upsample_kernel_size().end());
    if (op.filters().empty()) {
        for (size_t i = 0; i < n; ++i)
            filters_.push_back(std::min<int64_t>(int64_t(1) << (5 + i), dims == 3 ? 320 : 512));
    } else {
        if (op.filters().size() < n)
            throw ConfigError("needs at least len(strides) = " + std::to_string(n) + " values", {},
                              "network.filters");
        filters_.assign(op.filters().begin(), op.filters().begin() + long(n));
        for (auto f : filters_)
            if (f < 1)
                throw ConfigError("every value must be >= 1", {}, "network.filters");
    }
    if (op.deep_supervision() && (op.deep_supr_num() < 1 || size_t(op.deep_supr_num()) >= n - 1))
        throw ConfigError("must be >= 1 and less than the number of up-sampling layers (" +
                              std::to_string(n - 1) + ")",
                          {}, "network.deep_supr_num");

    UnetBlockOptions b;
    b.spatial_dims = dims;
    b.norm_name = op.norm_name();
    b.act_name = op.act_name();
    b.dropout = op.dropout();
    auto block = [&](int64_t in, int64_t out, size_t level) {
        UnetBlockOptions c = b;
        c.in_channels = in;
        c.out_channels = out;
        c.kernel_size = k[level];
        c.stride = s[level];
        return UnetConvBlock(c, op.res_block());
    };
    down_.push_back(register_module("input_block", block(op.in_channels(), filters_[0], 0)));
    auto downs = register_module("downsamples", nn::ModuleList());
    for (size_t j = 0; j + 2 < n; ++j) {
        down_.push_back(block(filters_[j], filters_[j + 1], j + 1));
        downs->push_back(down_.back());
    }
    bottleneck_ = register_module("bottleneck", block(filters_[n - 2], filters_[n - 1], n - 1));
    auto ups = register_module("upsamples", nn::ModuleList());
    for (size_t j = 0; j + 1 < n; ++j) {
        UnetBlockOptions c = b;
        c.in_channels = filters_[n - 1 - j];
        c.out_channels = filters_[n - 2 - j];
        c.kernel_size = k[n - 1 - j];
        c.stride = s[n - 1 - j];
        up_.push_back(UnetUpBlock(c, upk[n - 2 - j], op.trans_bias()));
        ups->push_back(up_.back());
    }
    out_ = outBlock(b, filters_[0], op.out_channels());
    register_module("output_block", out_.ptr());
    if (op.deep_supervision()) {
        auto hs = register_module("deep_supervision_heads", nn::ModuleList());
        for (int64_t i = 0; i < op.deep_supr_num(); ++i) {
            heads_.push_back(outBlock(b, filters_[size_t(i + 1)], op.out_channels()));
            hs->push_back(heads_.back().ptr());
        }
    }

    // MONAI's initialize_weights: kaiming normal (a = 0.01) on 2D/3D (transposed)
    // convolution weights, zero biases.
    {
        torch::NoGradGuard guard;
        for (const auto& m : modules(false)) {
            if (!m->as<nn::Conv2d>() && !m->as<nn::Conv3d>() && !m->as<nn::ConvTranspose2d>() &&
                !m->as<nn::ConvTranspose3d>())
                continue;
            auto p = m->named_parameters(false);
            nn::init::kaiming_normal_(p["weight"], 0.01);
            if (p.contains("bias"))
                p["bias"].zero_();
        }
    }

    // "skip_layers": MONAI's recursive DynUNetSkipLayer tree over the same
    // blocks (downsample, next_layer, upsample, super_head); state-dict keys only.
    std::shared_ptr<nn::Module> next = ModuleAlias(*bottleneck_).ptr();
    for (size_t i = n - 1; i-- > 0;) {
        auto node = std::make_shared<nn::Module>("DynUNetSkipLayer");
        node->register_module("downsample", ModuleAlias(*down_[i]));
        node->register_module("next_layer", next);
        node->register_module("upsample", ModuleAlias(*up_[n - 2 - i]));
        if (op.deep_supervision() && i >= 1 && i <= size_t(op.deep_supr_num()))
            node->register_module("super_head", ModuleAlias(*heads_[i - 1].ptr()));
        next = node;
    }
    register_module("skip_layers", next);
}

at::Tensor DynUNetImpl::forward(at::Tensor x) {
    const size_t n = options_.strides().size();
    const bool supervise = options_.deep_supervision() && is_training();
    std::vector<at::Tensor> skips;
    for (size_t i = 0; i + 1 < n; ++i) {
        x = down_[i]->forward(x);
        skips.push_back(x);
    }
    x = bottleneck_->forward(x);
    std::vector<at::Tensor> heads(heads_.size());
    for (size_t i = n - 1; i-- > 0;) {
        x = up_[n - 2 - i]->forward(x, skips[i]);
        if (supervise && i >= 1 && i <= heads_.size())
            heads[i - 1] = heads_[i - 1].forward(x);
    }
    at::Tensor out = out_.forward(x);
    if (!supervise)
        return out;
    std::vector<at::Tensor> all{out};
    const auto size = out.sizes().slice(2).vec();
    for (const auto& h : heads)
        all.push_back(nn::functional::interpolate(
            h, nn::functional::InterpolateFuncOptions().size(size).mode(torch::kNearest)));
    return torch::stack(all, 1);
}

int64_t DynUNetImpl::sizeDivisor() const {
    const int dims = int(options_.spatial_dims());
    int64_t d = 1;
    for (int a = 0; a < dims; ++a) {
        int64_t p = 1;
        for (const auto& s : options_.strides())
            p *= s.size() == 1 ? s[0] : s[size_t(a)];
        d = std::lcm(d, p);
    }
    return d;
}

ComponentInfo DynUNetImpl::info() {
    const char* levels = "per level: an int or one value per spatial axis, e.g. [[3,3,1],[3,3,3]]";
    return {"DynUNet",
            "network",
            "MONAI's DynUNet (nnU-Net), anisotropic kernels and strides, deep supervision "
            "(weight-compatible).",
            {spatialDimsParam(),
             channelsParam("in_channels", 1, "input channels"),
             channelsParam("out_channels", 2, "output channels (classes)"),
             {"kernel_size",
              ParamType::Object,
              Json{3, 3, 3, 3},
              0,
              0,
              {},
              std::string("convolution kernel ") + levels},
             {"strides",
              ParamType::Object,
              Json{1, 2, 2, 2},
              0,
              0,
              {},
              std::string("stride ") + levels + "; the first is the input block's"},
             {"upsample_kernel_size",
              ParamType::Object,
              Json{2, 2, 2},
              0,
              0,
              {},
              std::string("transposed-conv kernel and stride, len(strides) - 1 levels, ") + levels},
             {"filters",
              ParamType::Object,
              Json::array(),
              0,
              0,
              {},
              "channels per level; [] or null: min(2^(5+i), 320 in 3D, 512 in 2D)"},
             dropoutParam(),
             layerParam("norm_name", Json::array({"INSTANCE", {{"affine", true}}}),
                        "normalisation: name or [name, {arguments}]"),
             layerParam("act_name", Json::array({"leakyrelu", {{"negative_slope", 0.01}}}),
                        "activation: name or [name, {arguments}]"),
             {"deep_supervision",
              ParamType::Bool,
              false,
              0,
              1,
              {},
              "training output stacks the main output and deep_supr_num heads on dim 1"},
             {"deep_supr_num", ParamType::Int, 1, 1, 16, {}, "deep-supervision heads"},
             {"res_block", ParamType::Bool, false, 0, 1, {}, "residual blocks"},
             {"trans_bias", ParamType::Bool, false, 0, 1, {}, "bias of the transposed convs"}}};
}

std::shared_ptr<Network> DynUNetImpl::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    std::vector<int64_t> filters;
    const Json& f = r.raw("filters");
    if (!f.is_null()) {
        if (!f.is_array())
            throw ConfigError("must be a list of ints or null", {}, r.field("filters"));
        for (size_t j = 0; j < f.size(); ++j) {
            if (!f[j].is_number_integer())
                throw ConfigError("must be an int", {},
                                  r.field("filters") + "[" + std::to_string(j) + "]");
            filters.push_back(f[j].get<int64_t>());
        }
    }
    return std::make_shared<DynUNetImpl>(
        DynUNetOptions()
            .spatial_dims(r.integer("spatial_dims"))
            .in_channels(r.integer("in_channels"))
            .out_channels(r.integer("out_channels"))
            .kernel_size(parseLevels(r.raw("kernel_size"), r.field("kernel_size")))
            .strides(parseLevels(r.raw("strides"), r.field("strides")))
            .upsample_kernel_size(
                parseLevels(r.raw("upsample_kernel_size"), r.field("upsample_kernel_size")))
            .filters(filters)
            .dropout(readLayer(r, "dropout"))
            .norm_name(readLayer(r, "norm_name"))
            .act_name(readLayer(r, "act_name"))
            .deep_supervision(r.boolean("deep_supervision"))
            .deep_supr_num(r.integer("deep_supr_num"))
            .res_block(r.boolean("res_block"))
            .trans_bias(r.boolean("trans_bias")));
}

Json DynUNetImpl::toJson() const {
    const auto& o = options_;
    return {{"name", "DynUNet"},
            {"spatial_dims", o.spatial_dims()},
            {"in_channels", o.in_channels()},
            {"out_channels", o.out_channels()},
            {"kernel_size", levelsJson(o.kernel_size())},
            {"strides", levelsJson(o.strides())},
            {"upsample_kernel_size", levelsJson(o.upsample_kernel_size())},
            {"filters", o.filters().empty() ? Json(nullptr) : Json(o.filters())},
            {"dropout", o.dropout().toJson()},
            {"norm_name", o.norm_name().toJson()},
            {"act_name", o.act_name().toJson()},
            {"deep_supervision", o.deep_supervision()},
            {"deep_supr_num", o.deep_supr_num()},
            {"res_block", o.res_block()},
            {"trans_bias", o.trans_bias()}};
}

} // namespace medulla
