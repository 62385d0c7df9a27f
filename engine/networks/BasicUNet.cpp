#include "engine/networks/BasicUNet.h"

#include <torch/torch.h>

#include "engine/networks/Convolution.h"
#include "engine/networks/Layers.h"
#include "engine/networks/NetworkParams.h"

namespace medulla {
namespace nn = torch::nn;

namespace {

/// MONAI's TwoConv: "conv_0", "conv_1" (3x3 Convolution + NDA, padding 1).
Sequence twoConv(const BasicUNetOptions& o, int64_t in, int64_t out) {
    Sequence s;
    for (int i = 0; i < 2; ++i) {
        ConvolutionOptions c;
        c.spatial_dims = int(o.spatial_dims());
        c.in_channels = i == 0 ? in : out;
        c.out_channels = out;
        c.act = o.act();
        c.norm = o.norm();
        c.dropout = o.dropout();
        c.bias = o.bias();
        c.padding = {1};
        s->push_back("conv_" + std::to_string(i), Convolution(c));
    }
    return s;
}

/// MONAI's Down: "max_pooling" (2) then "convs".
Sequence down(const BasicUNetOptions& o, int64_t in, int64_t out) {
    Sequence s;
    s->push_back("max_pooling",
                 makePool(LayerSpec("max", {{"kernel_size", 2}}), int(o.spatial_dims())));
    s->push_back("convs", twoConv(o, in, out));
    return s;
}

} // namespace

BasicUpCatImpl::BasicUpCatImpl(const BasicUNetOptions& o, int64_t in, int64_t cat, int64_t out,
                               bool halves) {
    // pre_conv is MONAI's "default", so halving applies in every mode.
    const int64_t up = halves ? in / 2 : in;
    UpSampleOptions u;
    u.spatial_dims = int(o.spatial_dims());
    u.in_channels = in;
    u.out_channels = up;
    u.scale_factor = {2};
    u.mode = o.upsample();
    u.interp_mode = "linear";
    u.align_corners = true;
    upsample_ = register_module("upsample", UpSample(u, "network.upsample"));
    convs_ = register_module("convs", twoConv(o, cat + up, out));
}

at::Tensor BasicUpCatImpl::forward(at::Tensor x, at::Tensor skip) {
    at::Tensor up = upsample_->forward(x);
    const int64_t dims = x.dim() - 2;
    std::vector<int64_t> pad(size_t(2 * dims), 0);
    bool any = false;
    for (int64_t i = 0; i < dims; ++i)
        if (skip.size(-i - 1) != up.size(-i - 1)) {
            pad[size_t(2 * i + 1)] = 1;
            any = true;
        }
    if (any)
        up = torch::nn::functional::pad(
            up, torch::nn::functional::PadFuncOptions(pad).mode(torch::kReplicate));
    return convs_->forward(torch::cat({skip, up}, 1));
}

BasicUNetImpl::BasicUNetImpl(BasicUNetOptions options) : options_(std::move(options)) {
    checkSpatialDims(options_.spatial_dims(), "network.spatial_dims");
    const auto& f = options_.features();
    if (f.size() != 6)
        throw ConfigError(
            "needs 6 values (five encoder levels, then the last decoder level), got " +
                std::to_string(f.size()),
            {}, "network.features");
    for (auto v : f)
        if (v < 1)
            throw ConfigError("every value must be >= 1", {}, "network.features");
    if (options_.in_channels() < 1 || options_.out_channels() < 1)
        throw ConfigError("must be >= 1", {}, "network.in_channels/out_channels");
    const std::string& up = options_.upsample();
    if (up != "deconv" && up != "pixelshuffle" && up != "nontrainable")
        throw ConfigError("must be deconv, pixelshuffle or nontrainable, got \"" + up + "\"", {},
                          "network.upsample");
    const auto& o = options_;
    conv0_ = register_module("conv_0", twoConv(o, o.in_channels(), f[0]));
    down1_ = register_module("down_1", down(o, f[0], f[1]));
    down2_ = register_module("down_2", down(o, f[1], f[2]));
    down3_ = register_module("down_3", down(o, f[2], f[3]));
    down4_ = register_module("down_4", down(o, f[3], f[4]));
    up4_ = register_module("upcat_4", BasicUpCat(o, f[4], f[3], f[3], true));
    up3_ = register_module("upcat_3", BasicUpCat(o, f[3], f[2], f[2], true));
    up2_ = register_module("upcat_2", BasicUpCat(o, f[2], f[1], f[1], true));
    up1_ = register_module("upcat_1", BasicUpCat(o, f[1], f[0], f[5], false));
    ConvSpec c;
    c.spatial_dims = int(o.spatial_dims());
    c.in_channels = f[5];
    c.out_channels = o.out_channels();
    c.kernel_size = {1};
    final_ = makeConv(c);
    register_module("final_conv", final_.ptr());
}

at::Tensor BasicUNetImpl::forward(at::Tensor x) {
    at::Tensor x0 = conv0_->forward(x);
    at::Tensor x1 = down1_->forward(x0);
    at::Tensor x2 = down2_->forward(x1);
    at::Tensor x3 = down3_->forward(x2);
    at::Tensor x4 = down4_->forward(x3);
    at::Tensor u = up4_->forward(x4, x3);
    u = up3_->forward(u, x2);
    u = up2_->forward(u, x1);
    u = up1_->forward(u, x0);
    return final_.forward(u);
}

ComponentInfo BasicUNetImpl::info() {
    return {"BasicUNet",
            "network",
            "MONAI's BasicUNet: five levels of two convolutions (weight-compatible).",
            {spatialDimsParam(),
             channelsParam("in_channels", 1, "input channels"),
             channelsParam("out_channels", 2, "output channels (classes)"),
             {"features",
              ParamType::IntList,
              Json{32, 32, 64, 128, 256, 32},
              1,
              1e5,
              {},
              "five encoder widths, then the width after the last up-sampling"},
             layerParam("act", Json::array({"LeakyReLU", {{"negative_slope", 0.1}}}),
                        "activation: name or [name, {arguments}]"),
             layerParam("norm", Json::array({"instance", {{"affine", true}}}),
                        "normalisation: name or [name, {arguments}]"),
             {"bias", ParamType::Bool, true, 0, 1, {}, "convolution bias"},
             dropoutParam(0.0),
             {"upsample",
              ParamType::String,
              "deconv",
              0,
              0,
              {"deconv", "pixelshuffle", "nontrainable"},
              "up-sampling: transposed conv, sub-pixel conv or linear interpolation"}}};
}

std::shared_ptr<Network> BasicUNetImpl::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<BasicUNetImpl>(BasicUNetOptions()
                                               .spatial_dims(r.integer("spatial_dims"))
                                               .in_channels(r.integer("in_channels"))
                                               .out_channels(r.integer("out_channels"))
                                               .features(r.intList("features"))
                                               .act(readLayer(r, "act"))
                                               .norm(readLayer(r, "norm"))
                                               .bias(r.boolean("bias"))
                                               .dropout(readLayer(r, "dropout"))
                                               .upsample(r.string("upsample")));
}

Json BasicUNetImpl::toJson() const {
    const auto& o = options_;
    return {{"name", "BasicUNet"},
            {"spatial_dims", o.spatial_dims()},
            {"in_channels", o.in_channels()},
            {"out_channels", o.out_channels()},
            {"features", o.features()},
            {"act", o.act().toJson()},
            {"norm", o.norm().toJson()},
            {"bias", o.bias()},
            {"dropout", o.dropout().toJson()},
            {"upsample", o.upsample()}};
}

} // namespace medulla
