/// Mixed precision: GradScaler (PyTorch's GradScaler semantics: scale,
/// unscale_, step skipping on inf/NaN, backoff and growth, state) and the
/// Autocast guard (CPU bfloat16 autocast of LibTorch, nesting, the CPU bf16
/// check). Only the CPU paths run here; the CUDA paths (ATen's fused AMP
/// kernels, fp16 autocast) run in bench/gpu/bench_gpu.

#include "TestSupport.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <cmath>
#include <limits>

#include "engine/core/Error.h"
#include "engine/networks/FastConv.h"
#include "engine/training/Autocast.h"
#include "engine/training/GradScaler.h"

using namespace medulla;

namespace {

/// The ConfigError `f` throws: "field: message" ("" when none).
template <class F> std::string configError(F&& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.field() + ": " + e.message();
    }
    return {};
}

/// The Error message `f` throws ("" when none).
template <class F> std::string errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("not a medulla::Error: ") + e.what();
    }
    return {};
}

/// One scaled iteration on p with loss = sum(p * w): the gradient is
/// w * S before unscaling.
void backwardScaled(GradScaler& scaler, const at::Tensor& p, const at::Tensor& w) {
    if (p.grad().defined())
        p.mutable_grad().zero_();
    scaler.scale((p * w).sum()).backward();
}

const double kInf = std::numeric_limits<double>::infinity();

/// A dtype as text: QCOMPARE cannot print c10::ScalarType (c10's toString()
/// returns a static string that QTest would free).
QString dtypeName(c10::ScalarType t) {
    return QString::fromLatin1(c10::toString(t));
}

} // namespace

class TestAmp : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void scaleMultipliesTheLoss() {
        GradScaler scaler(GradScalerOptions().init_scale(1024));
        QCOMPARE(scaler.getScale(), 1024.0);
        const at::Tensor loss = torch::tensor(0.75f);
        const at::Tensor scaled = scaler.scale(loss);
        QCOMPARE(scaled.item<double>(), 768.0);
        QCOMPARE(dtypeName(scaled.scalar_type()), dtypeName(at::kFloat));
        QCOMPARE(scaled.dim(), int64_t(0)); // the loss's shape
        // float16 and bfloat16 losses are scaled in float32.
        const at::Tensor half = scaler.scale(torch::full({2, 3}, 0.5, at::kHalf));
        QCOMPARE(dtypeName(half.scalar_type()), dtypeName(at::kFloat));
        QVERIFY(torch::equal(half, torch::full({2, 3}, 512.0f)));
    }

    void unscaleDividesGradientsExactly() {
        GradScaler scaler; // 2^16
        at::Tensor p = torch::tensor({1.0f, -2.0f, 3.0f}).requires_grad_();
        torch::optim::SGD opt({p}, torch::optim::SGDOptions(1.0));
        const at::Tensor w = torch::tensor({1.5f, -3.25f, 1e-6f});
        backwardScaled(scaler, p, w);
        QVERIFY(torch::equal(p.grad(), w * 65536.0f));
        scaler.unscale_(opt);
        QVERIFY(torch::equal(p.grad(), w)); // a power of 2: exact
        QVERIFY(scaler.step(opt));          // no second unscale
        QVERIFY(torch::equal(p.detach(), torch::tensor({1.0f, -2.0f, 3.0f}) - w));
        scaler.update();

        // Any other scale: gradients times the float32 reciprocal of S.
        GradScaler three(GradScalerOptions().init_scale(3));
        at::Tensor q = torch::tensor({1.0f, 2.0f}).requires_grad_();
        torch::optim::SGD optQ({q}, torch::optim::SGDOptions(1.0));
        backwardScaled(three, q, torch::tensor({0.5f, 7.0f}));
        const at::Tensor scaled = q.grad().clone();
        three.unscale_(optQ);
        QVERIFY(torch::equal(q.grad(), scaled * torch::tensor(float(1.0 / 3.0))));
    }

    void infOrNanGradientSkipsTheStepAndBacksOff_data() {
        QTest::addColumn<double>("bad");
        QTest::newRow("inf") << kInf;
        QTest::newRow("-inf") << -kInf;
        QTest::newRow("nan") << std::nan("");
    }
    void infOrNanGradientSkipsTheStepAndBacksOff() {
        QFETCH(double, bad);
        GradScaler scaler(GradScalerOptions().init_scale(1024).growth_interval(3));
        at::Tensor p = torch::tensor({1.0f, 2.0f}).requires_grad_();
        torch::optim::SGD opt({p}, torch::optim::SGDOptions(0.5));
        // One good iteration first, so that the tracker has something to reset.
        backwardScaled(scaler, p, torch::tensor({1.0f, 1.0f}));
        QVERIFY(scaler.step(opt));
        scaler.update();
        QCOMPARE(scaler.growthTracker(), int64_t(1));
        const at::Tensor before = p.detach().clone();

        backwardScaled(scaler, p, torch::tensor({1.0f, 1.0f}));
        p.mutable_grad()[1] = bad;
        QVERIFY(!scaler.step(opt));
        QVERIFY(torch::equal(p.detach(), before)); // optimizer.step() did not run
        scaler.update();
        QCOMPARE(scaler.getScale(), 512.0);
        QCOMPARE(scaler.growthTracker(), int64_t(0));
        QCOMPARE(scaler.stepsSkipped(), int64_t(1));
        QCOMPARE(scaler.stepsTaken(), int64_t(1));

        // The next good iteration steps again.
        backwardScaled(scaler, p, torch::tensor({1.0f, 1.0f}));
        QVERIFY(scaler.step(opt));
        scaler.update();
        QVERIFY(torch::allclose(p.detach(), before - 0.5));
        QCOMPARE(scaler.getScale(), 512.0);
    }

    void growsAfterGrowthIntervalGoodSteps() {
        GradScaler scaler(GradScalerOptions().init_scale(8).growth_interval(3).growth_factor(4));
        at::Tensor p = torch::tensor({1.0f}).requires_grad_();
        torch::optim::SGD opt({p}, torch::optim::SGDOptions(0.1));
        const std::vector<double> scales = {8, 8, 32, 32, 32, 128};
        const std::vector<int64_t> trackers = {1, 2, 0, 1, 2, 0};
        for (size_t i = 0; i < scales.size(); ++i) {
            backwardScaled(scaler, p, torch::tensor({1.0f}));
            QVERIFY(scaler.step(opt));
            scaler.update();
            QCOMPARE(scaler.getScale(), scales[i]);
            QCOMPARE(scaler.growthTracker(), trackers[i]);
        }
        // A scale that would overflow float32 stays where it is.
        GradScaler big(GradScalerOptions().init_scale(3e38).growth_interval(1));
        at::Tensor q = torch::tensor({1.0f}).requires_grad_();
        torch::optim::SGD optQ({q}, torch::optim::SGDOptions(0.1));
        backwardScaled(big, q, torch::tensor({1e-30f}));
        QVERIFY(big.step(optQ));
        big.update();
        QCOMPARE(big.getScale(), double(float(3e38)));
        QCOMPARE(big.growthTracker(), int64_t(0));
        // update(newScale) sets S directly.
        big.update(256.0);
        QCOMPARE(big.getScale(), 256.0);
    }

    void eachOptimizerSkipsOnlyItsOwnStep() {
        GradScaler scaler(GradScalerOptions().init_scale(64));
        at::Tensor a = torch::tensor({1.0f}).requires_grad_();
        at::Tensor b = torch::tensor({1.0f}).requires_grad_();
        torch::optim::SGD optA({a}, torch::optim::SGDOptions(1.0));
        torch::optim::SGD optB({b}, torch::optim::SGDOptions(1.0));
        scaler.scale(a.sum() * 0.5 + b.sum() * 0.25).backward();
        b.mutable_grad().fill_(kInf);
        QVERIFY(scaler.step(optA));
        QVERIFY(!scaler.step(optB));
        scaler.update();
        QCOMPARE(a.item<float>(), 0.5f);
        QCOMPARE(b.item<float>(), 1.0f);
        QCOMPARE(scaler.getScale(), 32.0); // any inf backs off
    }

    void misuseThrowsError() {
        GradScaler scaler;
        at::Tensor p = torch::tensor({1.0f}).requires_grad_();
        torch::optim::SGD opt({p}, torch::optim::SGDOptions(1.0));
        QVERIFY(errorOf([&] { scaler.unscale_(opt); }).find("scale(loss)") != std::string::npos);
        QVERIFY(errorOf([&] { scaler.update(); }).find("scale(loss)") != std::string::npos);
        backwardScaled(scaler, p, torch::tensor({1.0f}));
        scaler.unscale_(opt);
        QVERIFY(errorOf([&] { scaler.unscale_(opt); }).find("already called") != std::string::npos);
        scaler.step(opt);
        QVERIFY(errorOf([&] { scaler.step(opt); }).find("already called") != std::string::npos);
        QVERIFY(errorOf([&] { scaler.unscale_(opt); }).find("after step()") != std::string::npos);
        scaler.update();
        QVERIFY(errorOf([&] { scaler.update(); }).find("no gradients were unscaled") !=
                std::string::npos);
        // No gradient at all.
        at::Tensor q = torch::tensor({1.0f}).requires_grad_();
        torch::optim::SGD optQ({q}, torch::optim::SGDOptions(1.0));
        QVERIFY(errorOf([&] { scaler.step(optQ); }).find("has a gradient") != std::string::npos);
        // float16 gradients (float16 parameters) cannot be unscaled.
        QVERIFY(errorOf([&] { scaler.update(); }).find("no gradients were unscaled") !=
                std::string::npos); // nothing was recorded for optQ
        q.mutable_grad() = torch::tensor({2.0f});
        QVERIFY(scaler.step(optQ)); // the iteration can be retried
        scaler.update();
        at::Tensor h = torch::tensor({1.0f}).to(at::kHalf).requires_grad_();
        torch::optim::SGD optH({h}, torch::optim::SGDOptions(1.0));
        h.mutable_grad() = torch::tensor({1.0f}).to(at::kHalf);
        QVERIFY(errorOf([&] { scaler.unscale_(optH); }).find("float16") != std::string::npos);
    }

    void optionsAreValidated() {
        QCOMPARE(configError([] {
                     GradScaler(GradScalerOptions().init_scale(0));
                 }).rfind("init_scale: ", 0),
                 size_t(0));
        QCOMPARE(configError([] {
                     GradScaler(GradScalerOptions().growth_factor(1.0));
                 }).rfind("growth_factor: ", 0),
                 size_t(0));
        QCOMPARE(configError([] {
                     GradScaler(GradScalerOptions().backoff_factor(1.0));
                 }).rfind("backoff_factor: ", 0),
                 size_t(0));
        QCOMPARE(configError([] {
                     GradScaler(GradScalerOptions().growth_interval(0));
                 }).rfind("growth_interval: ", 0),
                 size_t(0));
        GradScaler scaler;
        QCOMPARE(configError([&] { scaler.update(-1.0); }).rfind("new_scale: ", 0), size_t(0));
    }

    void stateRoundTripContinuesIdentically() {
        const auto o = GradScalerOptions().init_scale(256).growth_interval(2);
        GradScaler straight(o);
        at::Tensor p = torch::tensor({1.0f, 2.0f}).requires_grad_();
        torch::optim::SGD opt({p}, torch::optim::SGDOptions(0.1));
        auto iterate = [&](GradScaler& s, bool bad) {
            backwardScaled(s, p, torch::tensor({1.0f, 2.0f}));
            if (bad)
                p.mutable_grad()[0] = kInf;
            s.step(opt);
            s.update();
        };
        for (bool bad : {false, true, false})
            iterate(straight, bad);
        const nlohmann::json saved = straight.state();
        QCOMPARE(saved["scale"].get<double>(), 128.0);
        QCOMPARE(saved["_growth_tracker"].get<int64_t>(), int64_t(1));
        QCOMPARE(saved["growth_interval"].get<int64_t>(), int64_t(2));
        QCOMPARE(saved["growth_factor"].get<double>(), 2.0);
        QCOMPARE(saved["backoff_factor"].get<double>(), 0.5);
        QCOMPARE(saved["steps_taken"].get<int64_t>(), int64_t(2));
        QCOMPARE(saved["steps_skipped"].get<int64_t>(), int64_t(1));

        // Through text, as a checkpoint stores it; into a scaler with other options.
        GradScaler resumed;
        resumed.loadState(nlohmann::json::parse(saved.dump()));
        QCOMPARE(resumed.state(), saved);
        for (bool bad : {false, false, true, false}) {
            iterate(straight, bad);
            iterate(resumed, bad);
            QCOMPARE(resumed.state(), straight.state());
        }
        QCOMPARE(straight.getScale(), 128.0); // 128 -> 256 (growth) -> 128 (backoff)

        // Loading into a scaler that already has its scale tensor.
        GradScaler used(o);
        iterate(used, false);
        used.loadState(saved);
        QCOMPARE(used.state(), saved);

        // A PyTorch state_dict (no step counters) loads too.
        GradScaler fromTorch;
        fromTorch.loadState({{"scale", 32768.0},
                             {"growth_factor", 2.0},
                             {"backoff_factor", 0.5},
                             {"growth_interval", 2000},
                             {"_growth_tracker", 17}});
        QCOMPARE(fromTorch.getScale(), 32768.0);
        QCOMPARE(fromTorch.growthTracker(), int64_t(17));
        QCOMPARE(fromTorch.stepsTaken(), int64_t(0));
    }

    void loadStateNamesTheBadKey() {
        GradScaler scaler;
        nlohmann::json s = scaler.state();
        QCOMPARE(
            configError([&] { scaler.loadState(nlohmann::json::object()); }).rfind("scaler: ", 0),
            size_t(0));
        nlohmann::json noScale = s;
        noScale.erase("scale");
        QCOMPARE(configError([&] { scaler.loadState(noScale); }).rfind("scaler.scale: ", 0),
                 size_t(0));
        nlohmann::json badTracker = s;
        badTracker["_growth_tracker"] = "x";
        QCOMPARE(
            configError([&] { scaler.loadState(badTracker); }).rfind("scaler._growth_tracker: ", 0),
            size_t(0));
        nlohmann::json badFactor = s;
        badFactor["backoff_factor"] = 2.0;
        QCOMPARE(
            configError([&] { scaler.loadState(badFactor); }).rfind("scaler.backoff_factor: ", 0),
            size_t(0));
        QCOMPARE(scaler.state(), s); // nothing changed by the failed loads
    }

    void disabledScalerIsAPassThrough() {
        GradScaler scaler(GradScalerOptions().enabled(false));
        QVERIFY(!scaler.isEnabled());
        at::Tensor p = torch::tensor({1.0f, 2.0f}).requires_grad_();
        torch::optim::SGD opt({p}, torch::optim::SGDOptions(1.0));
        const at::Tensor loss = (p * torch::tensor({3.0f, 4.0f})).sum();
        const at::Tensor scaled = scaler.scale(loss);
        QVERIFY(scaled.is_same(loss));
        scaled.backward();
        scaler.unscale_(opt);
        scaler.unscale_(opt); // no stage checks either
        QVERIFY(torch::equal(p.grad(), torch::tensor({3.0f, 4.0f})));
        p.mutable_grad()[0] = kInf; // not checked: the step runs
        QVERIFY(scaler.step(opt));
        scaler.update();
        QCOMPARE(scaler.getScale(), 1.0);
        QVERIFY(scaler.state().empty());
        scaler.loadState(nlohmann::json::object()); // ignored
        QCOMPARE(scaler.stepsTaken(), int64_t(1));
        QVERIFY(std::isinf(p[0].item<float>()));
    }

    void trainingWithTheScalerMatchesPlainTraining() {
        // Without overflow, scaling by a power of two and unscaling again is
        // exact, so the parameters are bit-identical to plain training.
        torch::manual_seed(7);
        torch::nn::Sequential reference(torch::nn::Linear(4, 8), torch::nn::ReLU(),
                                        torch::nn::Linear(8, 2));
        torch::nn::Sequential plain =
            std::dynamic_pointer_cast<torch::nn::SequentialImpl>(reference->clone());
        torch::nn::Sequential scaled =
            std::dynamic_pointer_cast<torch::nn::SequentialImpl>(reference->clone());
        const at::Tensor x = torch::randn({16, 4}), y = torch::randn({16, 2});
        torch::optim::Adam optPlain(plain->parameters(), torch::optim::AdamOptions(1e-2));
        torch::optim::Adam optScaled(scaled->parameters(), torch::optim::AdamOptions(1e-2));
        GradScaler scaler(GradScalerOptions().growth_interval(2)); // 2^16, growing
        for (int step = 0; step < 6; ++step) {
            optPlain.zero_grad();
            torch::mse_loss(plain->forward(x), y).backward();
            optPlain.step();

            optScaled.zero_grad();
            scaler.scale(torch::mse_loss(scaled->forward(x), y)).backward();
            QVERIFY(scaler.step(optScaled));
            scaler.update();
        }
        QCOMPARE(scaler.getScale(), 65536.0 * 8); // grew at steps 2, 4, 6
        const auto a = plain->parameters(), b = scaled->parameters();
        QCOMPARE(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i)
            QVERIFY(torch::equal(a[i], b[i]));
        QVERIFY(!torch::equal(a[0], reference->parameters()[0])); // it did train
    }

    // ---- Autocast -------------------------------------------------------

    void cpuAutocastRunsConv3dInBfloat16() {
        torch::manual_seed(1);
        torch::nn::Conv3d conv(torch::nn::Conv3dOptions(1, 2, 3).padding(1));
        const at::Tensor x = torch::randn({1, 1, 6, 6, 6});
        const at::Tensor ref = conv->forward(x);
        QCOMPARE(dtypeName(ref.scalar_type()), dtypeName(at::kFloat));
        QVERIFY(!Autocast::isEnabled(c10::DeviceType::CPU));
        {
            Autocast amp(c10::DeviceType::CPU);
            QVERIFY(Autocast::isEnabled(c10::DeviceType::CPU));
            QCOMPARE(dtypeName(Autocast::dtype(c10::DeviceType::CPU)), dtypeName(at::kBFloat16));
            const at::Tensor y = conv->forward(x);
            QCOMPARE(dtypeName(y.scalar_type()), dtypeName(at::kBFloat16));
            // bf16 has an 8-bit mantissa: close to the float32 result.
            QVERIFY(torch::allclose(y.to(at::kFloat), ref, 0.05, 0.05));
        }
        QVERIFY(!Autocast::isEnabled(c10::DeviceType::CPU));
        QCOMPARE(dtypeName(conv->forward(x).scalar_type()), dtypeName(at::kFloat));
    }

    void autocastOpsOnThisLibTorch() {
        // What CPU autocast does to the layers of MONAI's networks (these
        // are LibTorch's op lists, recorded here so a LibTorch upgrade that
        // changes them is noticed).
        torch::manual_seed(2);
        const at::Tensor x = torch::randn({2, 2, 4, 4, 4});
        torch::nn::ConvTranspose3d up(
            torch::nn::ConvTranspose3dOptions(2, 2, 3).stride(2).padding(1).output_padding(1));
        torch::nn::InstanceNorm3d inorm(torch::nn::InstanceNorm3dOptions(2).affine(true));
        torch::nn::BatchNorm3d bnorm(2);
        torch::nn::PReLU prelu;
        FastConv3d fast(torch::nn::Conv3dOptions(2, 2, 3).padding(1));
        Autocast amp(c10::DeviceType::CPU);
        const at::Tensor xb = x.to(at::kBFloat16);
        // Layers on lower-precision lists run in bf16 whatever their input.
        QCOMPARE(dtypeName(torch::linear(x.flatten(1), torch::randn({3, 128})).scalar_type()),
                 dtypeName(at::kBFloat16));
        // Normalisation, activation, softmax follow their input's dtype.
        QCOMPARE(dtypeName(inorm->forward(xb).scalar_type()), dtypeName(at::kBFloat16));
        QCOMPARE(dtypeName(inorm->forward(x).scalar_type()), dtypeName(at::kFloat));
        QCOMPARE(dtypeName(bnorm->forward(xb).scalar_type()), dtypeName(at::kBFloat16));
        QCOMPARE(dtypeName(prelu->forward(xb).scalar_type()), dtypeName(at::kBFloat16));
        QCOMPARE(dtypeName(torch::softmax(xb, 1).scalar_type()), dtypeName(at::kBFloat16));
#if TORCH_VERSION_MAJOR == 1
        // 1.13: conv_transpose3d is not on the CPU list (MONAI's
        // RESULTS.md: the UNet's ConvTranspose3d layers stay float32).
        QCOMPARE(dtypeName(up->forward(x).scalar_type()), dtypeName(at::kFloat));
        // FastConv3d (channels-last CPU training) takes its own autograd
        // function with at::convolution, which 1.13 does not autocast
        // either: a float32 input stays float32; a bf16 one runs bf16.
        QCOMPARE(dtypeName(fast->forward(x).scalar_type()), dtypeName(at::kFloat));
        {
            at::NoGradGuard inference; // no fast path without autograd: conv3d, autocast
            QCOMPARE(dtypeName(fast->forward(x).scalar_type()), dtypeName(at::kBFloat16));
        }
#endif
        QCOMPARE(dtypeName(fast->forward(xb).scalar_type()), dtypeName(at::kBFloat16));
    }

    void autocastGradientsOfParametersAreFloat32() {
        torch::manual_seed(3);
        torch::nn::Conv3d conv(torch::nn::Conv3dOptions(1, 2, 3).padding(1));
        const at::Tensor x = torch::randn({1, 1, 6, 6, 6});
        at::Tensor loss;
        {
            Autocast amp(c10::DeviceType::CPU);
            loss = conv->forward(x).to(at::kFloat).pow(2).mean();
        }
        loss.backward(); // outside the guard, as in a training step
        QCOMPARE(dtypeName(conv->weight.scalar_type()), dtypeName(at::kFloat));
        QVERIFY(conv->weight.grad().defined());
        QCOMPARE(dtypeName(conv->weight.grad().scalar_type()), dtypeName(at::kFloat));
        QCOMPARE(dtypeName(conv->bias.grad().scalar_type()), dtypeName(at::kFloat));
    }

    void autocastGuardsNestAndRestore() {
        torch::nn::Conv3d conv(torch::nn::Conv3dOptions(1, 1, 1));
        const at::Tensor x = torch::randn({1, 1, 2, 2, 2});
        const bool cacheBefore = at::autocast::is_autocast_cache_enabled();
        {
            Autocast outer(c10::DeviceType::CPU);
            QCOMPARE(dtypeName(conv->forward(x).scalar_type()), dtypeName(at::kBFloat16));
            {
                Autocast off(c10::DeviceType::CPU, false, std::nullopt, /*cacheEnabled=*/false);
                QVERIFY(!Autocast::isEnabled(c10::DeviceType::CPU));
                QVERIFY(!at::autocast::is_autocast_cache_enabled());
                QCOMPARE(dtypeName(conv->forward(x).scalar_type()), dtypeName(at::kFloat));
                {
                    Autocast on(c10::DeviceType::CPU);
                    QCOMPARE(dtypeName(conv->forward(x).scalar_type()), dtypeName(at::kBFloat16));
                }
                QCOMPARE(dtypeName(conv->forward(x).scalar_type()), dtypeName(at::kFloat));
            }
            QVERIFY(Autocast::isEnabled(c10::DeviceType::CPU));
            QCOMPARE(at::autocast::is_autocast_cache_enabled(), cacheBefore);
            QCOMPARE(dtypeName(conv->forward(x).scalar_type()), dtypeName(at::kBFloat16));
        }
        QVERIFY(!Autocast::isEnabled(c10::DeviceType::CPU));
        QCOMPARE(dtypeName(conv->forward(x).scalar_type()), dtypeName(at::kFloat));
        // A CPU guard leaves the CUDA state alone.
        QVERIFY(!Autocast::isEnabled(c10::DeviceType::CUDA));
        QCOMPARE(dtypeName(Autocast::dtype(c10::DeviceType::CUDA)), dtypeName(at::kHalf));
    }

    void autocastRejectsWhatItCannotDo() {
        QCOMPARE(configError([] {
                     Autocast a(c10::DeviceType::CPU, true, at::kHalf);
                 }).rfind("amp: CPU autocast runs in bfloat16", 0),
                 size_t(0));
        QCOMPARE(configError([] {
                     Autocast a(c10::DeviceType::CUDA, true, at::kFloat);
                 }).rfind("amp: CUDA autocast runs in float16 or bfloat16", 0),
                 size_t(0));
        QCOMPARE(configError([] { Autocast a(c10::DeviceType::Meta); }).rfind("amp: ", 0),
                 size_t(0));
        if (!at::globalContext().hasCUDA()) {
            QCOMPARE(configError([] {
                         Autocast a(c10::DeviceType::CUDA);
                     }).rfind("amp: CUDA autocast asked for", 0),
                     size_t(0));
            Autocast off(c10::DeviceType::CUDA, false); // turning it off is always fine
        }
        QVERIFY(!Autocast::isEnabled(c10::DeviceType::CPU)); // nothing leaked
        QCOMPARE(dtypeName(Autocast::defaultDtype(c10::DeviceType::CUDA)), dtypeName(at::kHalf));
        QCOMPARE(dtypeName(Autocast::defaultDtype(c10::DeviceType::CPU)), dtypeName(at::kBFloat16));
    }

    void cpuBf16DetectionReadsTheFlags() {
        QVERIFY(
            cpuinfoHasNativeBf16("processor : 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 amx\n"));
        QVERIFY(cpuinfoHasNativeBf16("flags : sse amx_bf16 amx_tile\n"));
        QVERIFY(!cpuinfoHasNativeBf16("flags : fpu avx2 fma avx512f avx512bw\n"));
        QVERIFY(!cpuinfoHasNativeBf16("model name : avx512_bf16 lookalike\nflags : sse\n"));
        QVERIFY(!cpuinfoHasNativeBf16(""));
        // This machine: the warning says why, exactly when the flags are missing.
        const std::string warning = cpuBf16Warning();
        QCOMPARE(warning.empty(), cpuHasNativeBf16());
        if (!warning.empty()) {
            QVERIFY(warning.find("avx512_bf16") != std::string::npos);
            QVERIFY(warning.find("5.7x slower") != std::string::npos);
        }
        QCOMPARE(cpuBf16WarningOnce(), warning);
        QCOMPARE(cpuBf16WarningOnce(), std::string());
    }
};

QTEST_GUILESS_MAIN(TestAmp)
#include "test_amp.moc"
