#include "engine/networks/SqueezeExcitation.h"

#include <torch/torch.h>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/networks/Layers.h"

namespace medulla {
namespace nn = torch::nn;

ChannelSELayerImpl::ChannelSELayerImpl(const ChannelSELayerOptions& o)
    : addResidual_(o.add_residual) {
    avgPool_ = makePool(LayerSpec("adaptiveavg", {{"output_size", 1}}), o.spatial_dims);
    register_module("avg_pool", avgPool_.ptr());
    const int64_t hidden = o.in_channels / o.r;
    if (o.r < 1 || hidden < 1)
        throw ConfigError("the reduction ratio must be positive and at most the channels (" +
                              std::to_string(o.in_channels) + "), got " + std::to_string(o.r),
                          {}, "r");
    Sequence fc;
    fc->push_back("0", nn::Linear(o.in_channels, hidden));
    auto a1 = makeActivation(o.acti_type_1);
    if (!a1.is_empty())
        fc->push_back("1", std::move(a1));
    fc->push_back("2", nn::Linear(hidden, o.in_channels));
    auto a2 = makeActivation(o.acti_type_2);
    if (!a2.is_empty())
        fc->push_back("3", std::move(a2));
    fc_ = register_module("fc", fc);
}

at::Tensor ChannelSELayerImpl::forward(at::Tensor x) {
    const int64_t b = x.size(0), c = x.size(1);
    at::Tensor y = avgPool_.forward(x).view({b, c});
    std::vector<int64_t> shape(size_t(x.dim()), 1);
    shape[0] = b;
    shape[1] = c;
    at::Tensor result = x * fc_->forward(y).view(shape);
    if (addResidual_)
        result = result + x;
    return result;
}

SEBlockOptions SEBlockOptions::defaults(int dims, int64_t in, int64_t n1, int64_t n2, int64_t n3) {
    SEBlockOptions s;
    s.spatial_dims = dims;
    s.in_channels = in;
    s.n_chns_1 = n1;
    s.n_chns_2 = n2;
    s.n_chns_3 = n3;
    const LayerSpec relu("relu", {{"inplace", true}});
    for (auto* c : {&s.conv_param_1, &s.conv_param_2, &s.conv_param_3}) {
        *c = ConvolutionOptions();
        c->norm = "batch";
        c->act = relu;
    }
    s.conv_param_1.kernel_size = {1};
    s.conv_param_2.kernel_size = {3};
    s.conv_param_3.kernel_size = {1};
    s.conv_param_3.act = LayerSpec();
    return s;
}

SEBlockOptions seBottleneck(SEBottleneckKind kind, int dims, int64_t inplanes, int64_t planes,
                            int64_t groups, int64_t reduction, int64_t stride,
                            std::optional<ConvolutionOptions> downsample) {
    int64_t n1 = planes, n2 = planes;
    if (kind == SEBottleneckKind::SEBottleneck) {
        n1 = planes * 2;
        n2 = planes * 4;
    } else if (kind == SEBottleneckKind::SEResNeXtBottleneck) {
        // math.floor(planes * (base_width / 64)) * groups with base_width 4
        n1 = n2 = int64_t(std::floor(double(planes) * (4.0 / 64.0))) * groups;
        if (n1 < 1)
            throw ConfigError("SEResNeXt bottleneck width floor(" + std::to_string(planes) +
                                  " * 4 / 64) * groups is 0",
                              {}, "groups");
    }
    SEBlockOptions s = SEBlockOptions::defaults(dims, inplanes, n1, n2, planes * 4);
    for (auto* c : {&s.conv_param_1, &s.conv_param_2, &s.conv_param_3})
        c->bias = false;
    s.conv_param_2.groups = groups;
    if (kind == SEBottleneckKind::SEResNetBottleneck)
        s.conv_param_1.strides = {stride};
    else
        s.conv_param_2.strides = {stride};
    s.project = std::move(downsample);
    s.r = reduction;
    return s;
}

SEBlockImpl::SEBlockImpl(const SEBlockOptions& o) {
    auto make = [&](ConvolutionOptions c, int64_t in, int64_t out) {
        c.spatial_dims = o.spatial_dims;
        c.in_channels = in;
        c.out_channels = out;
        return Convolution(c);
    };
    conv1_ = register_module("conv1", make(o.conv_param_1, o.in_channels, o.n_chns_1));
    conv2_ = register_module("conv2", make(o.conv_param_2, o.n_chns_1, o.n_chns_2));
    conv3_ = register_module("conv3", make(o.conv_param_3, o.n_chns_2, o.n_chns_3));
    ChannelSELayerOptions se;
    se.spatial_dims = o.spatial_dims;
    se.in_channels = o.n_chns_3;
    se.r = o.r;
    se.acti_type_1 = o.acti_type_1;
    se.acti_type_2 = o.acti_type_2;
    seLayer_ = register_module("se_layer", ChannelSELayer(se));
    if (o.project) {
        project_ = nn::AnyModule(Convolution(*o.project));
    } else if (o.in_channels != o.n_chns_3) {
        ConvSpec c;
        c.spatial_dims = o.spatial_dims;
        c.in_channels = o.in_channels;
        c.out_channels = o.n_chns_3;
        c.kernel_size = {1};
        c.padding = {0};
        project_ = makeConv(c);
    }
    if (!project_.is_empty())
        register_module("project", project_.ptr());
    act_ = makeActivation(o.acti_type_final);
    if (!act_.is_empty())
        register_module("act", act_.ptr());
}

at::Tensor SEBlockImpl::forward(at::Tensor x) {
    at::Tensor residual = project_.is_empty() ? x : project_.forward(x);
    x = conv1_->forward(x);
    x = conv2_->forward(x);
    x = conv3_->forward(x);
    x = seLayer_->forward(x) + residual;
    return act_.is_empty() ? x : act_.forward(x);
}

} // namespace medulla
