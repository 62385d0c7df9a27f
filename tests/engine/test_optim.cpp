/// Novograd and the lr schedules: closed-form steps, state save/load,
/// resume, factories and their error messages. MONAI's trajectories and lr
/// sequences are checked by the parity_optim and parity_optim_extra tests.

#include "TestSupport.h"

#include <torch/serialize.h>

#include <sstream>

#include "engine/core/Error.h"
#include "engine/optim/LrScheduler.h"
#include "engine/optim/Novograd.h"
#include "engine/optim/OptimizerFactory.h"

using namespace medulla;

namespace {

/// The message of the ConfigError `f` throws ("" when none).
template <class F> std::string configError(F&& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestOptim : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void novogradClosedForm() {
        // p = (1, 2), g = (3, 4): |g|^2 = 25, v = 25 on the first step,
        // u = g / 5 = (0.6, 0.8), m = u, p -= 0.1 m -> (0.94, 1.92).
        at::Tensor p = torch::tensor({1.0, 2.0}, torch::kDouble).requires_grad_();
        Novograd opt({p}, NovogradOptions(0.1));
        p.mutable_grad() = torch::tensor({3.0, 4.0}, torch::kDouble);
        opt.step();
        QVERIFY(torch::allclose(p, torch::tensor({0.94, 1.92}, torch::kDouble), 0, 1e-9));
        // The gradient is left as it was (MONAI overwrites it).
        QVERIFY(torch::equal(p.grad(), torch::tensor({3.0, 4.0}, torch::kDouble)));
        // Step 2, g = (0, 5): v = 0.98*25 + 0.02*25 = 25, u = (0, 1),
        // m = 0.9 (0.6, 0.8) + (0, 1) = (0.54, 1.72), p -= 0.1 m.
        p.mutable_grad() = torch::tensor({0.0, 5.0}, torch::kDouble);
        opt.step();
        QVERIFY(torch::allclose(p, torch::tensor({0.94 - 0.054, 1.92 - 0.172}, torch::kDouble), 0,
                                1e-9));
        // grad_averaging scales u by 1 - beta1; weight decay adds wd * p.
        at::Tensor q = torch::tensor({1.0, 2.0}, torch::kDouble).requires_grad_();
        Novograd avg({q}, NovogradOptions(0.1).grad_averaging(true).weight_decay(0.5));
        q.mutable_grad() = torch::tensor({3.0, 4.0}, torch::kDouble);
        avg.step();
        // u = ((0.6, 0.8) + 0.5 (1, 2)) * 0.1 = (0.11, 0.18)
        QVERIFY(torch::allclose(q, torch::tensor({1 - 0.011, 2 - 0.018}, torch::kDouble), 0, 1e-9));
    }

    void novogradSaveLoadContinuesExactly() {
        torch::manual_seed(3);
        const at::Tensor init = torch::randn({4, 5});
        const at::Tensor grads = torch::randn({6, 4, 5});
        auto run = [&](at::Tensor p, Novograd& opt, int from, int to) {
            for (int s = from; s < to; ++s) {
                p.mutable_grad() = grads[s].clone();
                opt.step();
            }
        };
        const auto o = NovogradOptions(0.05).amsgrad(true).weight_decay(0.01);
        at::Tensor a = init.clone().requires_grad_();
        Novograd straight({a}, o);
        run(a, straight, 0, 6);

        at::Tensor b = init.clone().requires_grad_();
        Novograd first({b}, o);
        run(b, first, 0, 3);
        std::stringstream stream;
        torch::serialize::OutputArchive out;
        first.save(out);
        out.save_to(stream);
        at::Tensor c = b.detach().clone().requires_grad_();
        Novograd resumed({c}, NovogradOptions(0.05).amsgrad(true).weight_decay(0.01));
        torch::serialize::InputArchive in;
        in.load_from(stream);
        resumed.load(in);
        run(c, resumed, 3, 6);
        QVERIFY(torch::equal(a, c));
    }

    void optimizerFactory() {
        at::Tensor p = torch::zeros({2}).requires_grad_();
        auto opt = makeOptimizer({{"name", "Novograd"}, {"lr", 0.02}, {"amsgrad", true}}, {p});
        QVERIFY(dynamic_cast<Novograd*>(opt.get()) != nullptr);
        QCOMPARE(opt->param_groups()[0].options().get_lr(), 0.02);
        const std::string betas = configError([&] {
            makeOptimizer({{"name", "Novograd"}, {"betas", {0.9, 1.0}}}, {p});
        });
        QVERIFY2(betas.find("optimizer.betas") != std::string::npos, betas.c_str());
        const std::string unknown = configError([&] { makeOptimizer({{"name", "Nadam"}}, {p}); });
        QVERIFY2(unknown.find("Novograd") != std::string::npos, unknown.c_str());
        QVERIFY(!configError([&] { Novograd({p}, NovogradOptions(-1)); }).empty());
    }

    void closedFormSchedules() {
        at::Tensor p = torch::zeros({1}).requires_grad_();
        torch::optim::SGD sgd({p}, torch::optim::SGDOptions(0.1));
        auto poly =
            makeScheduler({{"name", "PolynomialLR"}, {"total_iters", 4}, {"power", 2.0}}, sgd);
        // 0.1 (1 - k/4)^2, then 0 after total_iters
        const double want[] = {0.1, 0.05625, 0.025, 0.00625, 0, 0};
        for (double w : want) {
            QVERIFY(std::fabs(sgd.param_groups()[0].options().get_lr() - w) < 1e-12);
            poly->step();
        }
        QCOMPARE(poly->lastEpoch(), int64_t(6));
        QVERIFY(poly->epochLevel());

        torch::optim::SGD two({p}, torch::optim::SGDOptions(1.0));
        auto step = makeScheduler(
            {{"name", "StepLR"}, {"step_size", 3}, {"gamma", 0.5}, {"epoch_level", false}}, two);
        QVERIFY(!step->epochLevel());
        QCOMPARE(step->lrAt(2), 1.0);
        QCOMPARE(step->lrAt(3), 0.5);
        QCOMPARE(step->lrAt(7), 0.25);
        // Warm-up longer than t_total is clamped to t_total (MONAI).
        auto wc = makeScheduler(
            {{"name", "WarmupCosineSchedule"}, {"warmup_steps", 50}, {"t_total", 10}}, two);
        QVERIFY(std::fabs(wc->lrAt(5) - 0.5) < 1e-12);
        QVERIFY(std::fabs(wc->lrAt(10) - 1.0) < 1e-12);
    }

    void resumeFromState() {
        at::Tensor p = torch::zeros({1}).requires_grad_();
        const Json cfg = {{"name", "WarmupCosineSchedule"},
                          {"warmup_steps", 3},
                          {"t_total", 20},
                          {"end_lr", 1e-4}};
        torch::optim::SGD a({p}, torch::optim::SGDOptions(0.1));
        auto straight = makeScheduler(cfg, a);
        for (int i = 0; i < 7; ++i)
            straight->step();
        const Json state = straight->state();
        // A new optimizer at another lr: loadState restores the base lr and step.
        torch::optim::SGD b({p}, torch::optim::SGDOptions(0.5));
        auto resumed = makeScheduler(cfg, b);
        resumed->loadState(state);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(resumed->currentLrs()[0], straight->currentLrs()[0]);
            straight->step();
            resumed->step();
        }
        QCOMPARE(resumed->lastEpoch(), int64_t(12));
    }

    void schedulerErrors() {
        at::Tensor p = torch::zeros({1}).requires_grad_();
        torch::optim::SGD sgd({p}, torch::optim::SGDOptions(0.1));
        auto msg = [&](const Json& cfg) { return configError([&] { makeScheduler(cfg, sgd); }); };
        const std::string missing = msg({{"name", "WarmupCosineSchedule"}, {"warmup_steps", 2}});
        QVERIFY2(missing.find("scheduler.t_total") != std::string::npos, missing.c_str());
        const std::string unknown = msg({{"name", "OneCycle"}});
        QVERIFY2(unknown.find("PolynomialLR") != std::string::npos, unknown.c_str());
        const std::string typo = msg({{"name", "StepLR"}, {"step_size", 2}, {"gama", 0.1}});
        QVERIFY2(typo.find("gama") != std::string::npos, typo.c_str());
        const std::string mult = msg({{"name", "WarmupCosineSchedule"},
                                      {"warmup_steps", 2},
                                      {"t_total", 9},
                                      {"warmup_multiplier", 1.5}});
        QVERIFY2(mult.find("warmup_multiplier") != std::string::npos, mult.c_str());
        const std::string expo = msg({{"name", "ExponentialLR"}, {"end_lr", 0.0}, {"num_iter", 5}});
        QVERIFY2(expo.find("scheduler.end_lr") != std::string::npos, expo.c_str());
    }
};

QTEST_GUILESS_MAIN(TestOptim)
#include "test_optim.moc"
