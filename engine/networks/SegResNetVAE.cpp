#include "engine/networks/SegResNetVAE.h"

#include <torch/torch.h>

#include "engine/networks/Layers.h"
#include "engine/networks/ModuleAlias.h"
#include "engine/networks/NetworkParams.h"

namespace medulla {
namespace nn = torch::nn;

namespace {

SegResNetOptions checked(const SegResNetVAEOptions& o) {
    const auto& size = o.input_image_size();
    const int64_t dims = o.base().spatial_dims();
    if (size.size() != size_t(dims))
        throw ConfigError("needs spatial_dims = " + std::to_string(dims) + " values, got " +
                              std::to_string(size.size()),
                          {}, "network.input_image_size");
    const int64_t div = int64_t(1) << o.base().blocks_down().size();
    for (auto s : size)
        if (s < div)
            throw ConfigError("every size must be at least " + std::to_string(div) +
                                  " (2^len(blocks_down))",
                              {}, "network.input_image_size");
    if (o.vae_nz() < 1)
        throw ConfigError("must be >= 1", {}, "network.vae_nz");
    return o.base();
}

} // namespace

SegResNetVAEImpl::SegResNetVAEImpl(SegResNetVAEOptions o)
    : SegResNetImpl(checked(o)), vae_(std::move(o)) {
    const auto& b = vae_.base();
    const int dims = int(b.spatial_dims());
    const int64_t zoom = int64_t(1) << (b.blocks_down().size() - 1);
    int64_t total = kSmallestFilters;
    for (auto s : vae_.input_image_size()) {
        fcInSize_.push_back(s / (2 * zoom));
        total *= fcInSize_.back();
    }
    const int64_t vf = b.init_filters() * zoom;
    auto actAlias = [this]() -> nn::AnyModule {
        if (act_.is_empty())
            return nn::AnyModule(nn::Identity());
        nn::AnyModule act = act_;
        return nn::AnyModule(
            ModuleAlias(*act_.ptr(), [act](at::Tensor x) mutable { return act.forward(x); }));
    };
    auto normOr = [&](int64_t ch) {
        nn::AnyModule m = makeNorm(norm(), dims, ch);
        return m.is_empty() ? nn::AnyModule(nn::Identity()) : m;
    };
    Sequence down;
    down->push_back(normOr(vf));
    down->push_back(actAlias());
    down->push_back(convLayer(dims, vf, kSmallestFilters, 3, 2, true));
    down->push_back(normOr(kSmallestFilters));
    down->push_back(actAlias());
    vaeDown_ = register_module("vae_down", down);
    fc1_ = register_module("vae_fc1", nn::Linear(total, vae_.vae_nz()));
    fc2_ = register_module("vae_fc2", nn::Linear(total, vae_.vae_nz()));
    fc3_ = register_module("vae_fc3", nn::Linear(vae_.vae_nz(), total));
    Sequence up;
    up->push_back(convLayer(dims, kSmallestFilters, vf, 1, 1, false));
    up->push_back(upsampleLayer(vf));
    up->push_back(normOr(vf));
    up->push_back(actAlias());
    vaeUp_ = register_module("vae_fc_up_sample", up);
    vaeFinal_ = register_module("vae_conv_final", finalConv(b.in_channels()));
}

at::Tensor SegResNetVAEImpl::vaeLoss(const at::Tensor& input, const at::Tensor& features) {
    at::Tensor x = vaeDown_->forward(features);
    x = x.view({-1, fc1_->options.in_features()});
    const at::Tensor mean = fc1_->forward(x);
    const at::Tensor noise = torch::randn_like(mean);
    at::Tensor reg;
    if (vae_.vae_estimate_std()) {
        const at::Tensor sigma = nn::functional::softplus(fc2_->forward(x));
        reg = 0.5 * torch::mean(mean.pow(2) + sigma.pow(2) - torch::log(1e-8 + sigma.pow(2)) - 1);
        x = mean + sigma * noise;
    } else {
        reg = torch::mean(mean.pow(2));
        x = mean + vae_.vae_default_std() * noise;
    }
    x = fc3_->forward(x);
    if (!act_.is_empty())
        x = act_.forward(x);
    std::vector<int64_t> shape{-1, kSmallestFilters};
    shape.insert(shape.end(), fcInSize_.begin(), fcInSize_.end());
    x = vaeUp_->forward(x.view(shape));
    for (size_t i = 0; i < upSamples_.size(); ++i)
        x = upLayers_[i]->forward(upSamples_[i]->forward(x));
    x = vaeFinal_->forward(x);
    return reg + nn::functional::mse_loss(input, x);
}

at::Tensor SegResNetVAEImpl::forward(at::Tensor input) {
    std::vector<at::Tensor> down;
    at::Tensor features = encode(input, down);
    at::Tensor out = decode(features, down);
    vaeLoss_ = is_training() ? vaeLoss(input, features) : at::Tensor();
    return out;
}

int64_t SegResNetVAEImpl::sizeDivisor() const {
    return int64_t(1) << vae_.base().blocks_down().size();
}

ComponentInfo SegResNetVAEImpl::info() {
    ComponentInfo base = SegResNetImpl::info();
    ComponentInfo i{"SegResNetVAE",
                    "network",
                    "MONAI's SegResNetVAE: SegResNet with a VAE regulariser; the VAE loss is the "
                    "network's auxiliary loss in training (weight-compatible).",
                    {{"input_image_size",
                      ParamType::IntList,
                      Json{128, 128, 128},
                      1,
                      1e5,
                      {},
                      "spatial size of the training inputs (sizes the VAE)"},
                     {"vae_estimate_std",
                      ParamType::Bool,
                      false,
                      0,
                      1,
                      {},
                      "learn the latent standard deviation (vae_fc2)"},
                     {"vae_default_std",
                      ParamType::Float,
                      0.3,
                      0,
                      1e3,
                      {},
                      "latent standard deviation when not estimated"},
                     {"vae_nz", ParamType::Int, 256, 1, 1e6, {}, "latent size"}}};
    for (auto& p : base.params)
        if (p.name != "norm_name" && p.name != "num_groups")
            i.params.push_back(p);
    return i;
}

std::shared_ptr<Network> SegResNetVAEImpl::fromJson(const Json& config,
                                                    const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<SegResNetVAEImpl>(
        SegResNetVAEOptions()
            .base(SegResNetOptions()
                      .spatial_dims(r.integer("spatial_dims"))
                      .init_filters(r.integer("init_filters"))
                      .in_channels(r.integer("in_channels"))
                      .out_channels(r.integer("out_channels"))
                      .dropout_prob(readDropoutProb(r))
                      .act(readLayer(r, "act"))
                      .norm(readLayer(r, "norm"))
                      .use_conv_final(r.boolean("use_conv_final"))
                      .blocks_down(r.intList("blocks_down"))
                      .blocks_up(r.intList("blocks_up"))
                      .upsample_mode(r.string("upsample_mode")))
            .input_image_size(r.intList("input_image_size"))
            .vae_estimate_std(r.boolean("vae_estimate_std"))
            .vae_default_std(r.number("vae_default_std"))
            .vae_nz(r.integer("vae_nz")));
}

Json SegResNetVAEImpl::toJson() const {
    Json j = SegResNetImpl::toJson();
    j.erase("norm_name");
    j.erase("num_groups");
    j["name"] = "SegResNetVAE";
    j["input_image_size"] = vae_.input_image_size();
    j["vae_estimate_std"] = vae_.vae_estimate_std();
    j["vae_default_std"] = vae_.vae_default_std();
    j["vae_nz"] = vae_.vae_nz();
    return j;
}

} // namespace medulla
