#include "engine/optim/Novograd.h"

#include <torch/serialize/archive.h>
#include <torch/torch.h>

#include "engine/core/Error.h"

namespace medulla {

void NovogradOptions::serialize(torch::serialize::OutputArchive& archive) const {
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(betas);
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(grad_averaging);
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(amsgrad);
}

void NovogradOptions::serialize(torch::serialize::InputArchive& archive) {
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(betas_t, betas);
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, grad_averaging);
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, amsgrad);
}

void NovogradParamState::serialize(torch::serialize::OutputArchive& archive) const {
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg);
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg_sq);
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(max_exp_avg_sq);
}

void NovogradParamState::serialize(torch::serialize::InputArchive& archive) {
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg);
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg_sq);
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, max_exp_avg_sq);
}

namespace {

void checkOptions(const NovogradOptions& o) {
    if (!(o.lr() >= 0))
        throw ConfigError("must be >= 0, got " + std::to_string(o.lr()), {}, "optimizer.lr");
    if (!(o.eps() >= 0))
        throw ConfigError("must be >= 0, got " + std::to_string(o.eps()), {}, "optimizer.eps");
    const double b1 = std::get<0>(o.betas()), b2 = std::get<1>(o.betas());
    if (!(b1 >= 0 && b1 < 1))
        throw ConfigError("must be in [0, 1), got " + std::to_string(b1), {}, "optimizer.betas[0]");
    if (!(b2 >= 0 && b2 < 1))
        throw ConfigError("must be in [0, 1), got " + std::to_string(b2), {}, "optimizer.betas[1]");
    if (!(o.weight_decay() >= 0))
        throw ConfigError("must be >= 0, got " + std::to_string(o.weight_decay()), {},
                          "optimizer.weight_decay");
}

} // namespace

Novograd::Novograd(std::vector<torch::optim::OptimizerParamGroup> groups, NovogradOptions defaults)
    : Optimizer(std::move(groups), std::make_unique<NovogradOptions>(defaults)) {
    checkOptions(defaults);
}

Novograd::Novograd(std::vector<torch::Tensor> params, NovogradOptions defaults)
    : Novograd({torch::optim::OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

torch::Tensor Novograd::step(LossClosure closure) {
    torch::NoGradGuard noGrad;
    torch::Tensor loss;
    if (closure) {
        torch::AutoGradMode enable(true);
        loss = closure();
    }
    for (auto& group : param_groups_) {
        const auto& o = static_cast<const NovogradOptions&>(group.options());
        const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
        for (auto& p : group.params()) {
            if (!p.grad().defined())
                continue;
            const torch::Tensor& grad = p.grad();
            if (grad.is_sparse())
                throw ConfigError("Novograd does not support sparse gradients", {}, "optimizer");
            const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
            auto it = state_.find(key);
            if (it == state_.end()) {
                auto s = std::make_unique<NovogradParamState>();
                s->exp_avg(torch::zeros_like(p, at::MemoryFormat::Preserve));
                const auto scalar = torch::TensorOptions().dtype(torch::kFloat).device(p.device());
                s->exp_avg_sq(torch::zeros({}, scalar));
                if (o.amsgrad())
                    s->max_exp_avg_sq(torch::zeros({}, scalar));
                it = state_.emplace(key, std::move(s)).first;
            }
            auto& s = static_cast<NovogradParamState&>(*it->second);
            s.step(s.step() + 1);
            torch::Tensor norm = grad.pow(2).sum();
            torch::Tensor v = s.exp_avg_sq();
            // MONAI seeds the average with |g|^2 while it is still 0 (no
            // host sync here: a select on the device).
            const torch::Tensor normF = norm.to(v.dtype());
            v.copy_(torch::where(v == 0, normF, v * beta2 + normF * (1 - beta2)));
            torch::Tensor denom;
            if (o.amsgrad()) {
                torch::max_out(s.max_exp_avg_sq(), s.max_exp_avg_sq(), v);
                denom = s.max_exp_avg_sq().sqrt().add_(o.eps());
            } else {
                denom = v.sqrt().add_(o.eps());
            }
            torch::Tensor u = grad / denom;
            if (o.weight_decay() != 0)
                u.add_(p, o.weight_decay());
            if (o.grad_averaging())
                u.mul_(1 - beta1);
            s.exp_avg().mul_(beta1).add_(u);
            p.add_(s.exp_avg(), -o.lr());
        }
    }
    return loss;
}

void Novograd::save(torch::serialize::OutputArchive& archive) const {
    serialize(*this, archive);
}

void Novograd::load(torch::serialize::InputArchive& archive) {
    serialize(*this, archive);
}

} // namespace medulla
