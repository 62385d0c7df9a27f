#pragma once
/// MONAI's Novograd (Ginsburg et al. 2019, "Stochastic Gradient Methods with
/// Layer-wise Adaptive Moments"): Adam-like, but the second moment is one
/// scalar per parameter tensor (the running average of the squared gradient
/// norm), which keeps the optimizer state at one tensor per parameter.
///
/// Per parameter tensor p with gradient g, at each step:
///   v = |g|^2 on the first step (while v is still 0), else
///       beta2 v + (1 - beta2) |g|^2;  amsgrad: vmax = max(vmax, v), use vmax
///   u = g / (sqrt(v) + eps) + weight_decay p;  grad_averaging: u *= 1 - beta1
///   m = beta1 m + u;  p -= lr m
/// Unlike MONAI's Python class, p.grad is left untouched (MONAI overwrites it
/// with u); parameter trajectories are identical.

#include <torch/arg.h>
#include <torch/optim/optimizer.h>
#include <torch/optim/serialize.h>

#include <tuple>
#include <vector>

namespace medulla {

struct NovogradOptions : public torch::optim::OptimizerCloneableOptions<NovogradOptions> {
    NovogradOptions(double lr = 1e-3) : lr_(lr) {}
    TORCH_ARG(double, lr);
    using betas_t = std::tuple<double, double>;
    TORCH_ARG(betas_t, betas) = std::make_tuple(0.9, 0.98);
    TORCH_ARG(double, eps) = 1e-8;
    TORCH_ARG(double, weight_decay) = 0;
    TORCH_ARG(bool, grad_averaging) = false;
    TORCH_ARG(bool, amsgrad) = false;

public:
    void serialize(torch::serialize::InputArchive& archive) override;
    void serialize(torch::serialize::OutputArchive& archive) const override;
    double get_lr() const override { return lr(); }
    void set_lr(const double lr) override { this->lr(lr); }
};

struct NovogradParamState : public torch::optim::OptimizerCloneableParamState<NovogradParamState> {
    TORCH_ARG(int64_t, step) = 0;
    /// Running average of the (normalised) gradient, p's shape.
    TORCH_ARG(torch::Tensor, exp_avg);
    /// Running average of |g|^2, a 0-d float32 tensor as in MONAI.
    TORCH_ARG(torch::Tensor, exp_avg_sq);
    TORCH_ARG(torch::Tensor, max_exp_avg_sq) = {};

public:
    void serialize(torch::serialize::InputArchive& archive) override;
    void serialize(torch::serialize::OutputArchive& archive) const override;
};

class Novograd : public torch::optim::Optimizer {
public:
    /// Throws ConfigError (naming the field) for lr < 0, eps < 0,
    /// betas outside [0, 1) or weight_decay < 0.
    explicit Novograd(std::vector<torch::optim::OptimizerParamGroup> groups,
                      NovogradOptions defaults = {});
    explicit Novograd(std::vector<torch::Tensor> params, NovogradOptions defaults = {});

    torch::Tensor step(LossClosure closure = nullptr) override;
    void save(torch::serialize::OutputArchive& archive) const override;
    void load(torch::serialize::InputArchive& archive) override;

private:
    template <typename Self, typename Archive> static void serialize(Self& self, Archive& archive) {
        torch::optim::serialize<NovogradParamState, NovogradOptions>(archive, self);
    }
};

} // namespace medulla
