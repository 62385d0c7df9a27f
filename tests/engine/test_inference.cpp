/// SlidingWindowInferer, its window placement and importance map, the
/// inferer factory, and the ensembles (functions and dictionary transforms):
/// closed-form cases and contracts. MONAI's own outputs are checked by the
/// parity_inference* tests (shared/parity and tests/data/inference).

#include "TestSupport.h"

#include <cmath>

#include "engine/core/Error.h"
#include "engine/inference/InfererFactory.h"
#include "engine/inference/SlidingWindowInferer.h"
#include "engine/inference/WindowGrid.h"
#include "engine/transforms/EnsembleOps.h"
#include "engine/transforms/Transform.h"

using namespace medulla;
using medulla::test::allClose;

namespace {

/// The field of the medulla::Error `f` throws ("" when none).
template <class E = Error, class F> std::string errorField(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.field();
    }
    return {};
}

SlidingWindowInferer sliding(std::vector<int64_t> roi, double overlap, const std::string& mode,
                             int64_t batch = 3) {
    return SlidingWindowInferer(SlidingWindowInfererOptions()
                                    .roi_size(std::move(roi))
                                    .overlap({overlap})
                                    .mode(mode)
                                    .sw_batch_size(batch));
}

struct Recorder : ProgressSink {
    std::vector<double> fractions;
    void progress(double f, const std::string&) override { fractions.push_back(f); }
};

} // namespace

class TestInference : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void windowPlacementClosedForm() {
        // image 10, roi 4, overlap 0.25: interval int(4 * 0.75) = 3; windows
        // at 0, 3, 6 (6 + 4 reaches the end).
        QCOMPARE(scanInterval({10}, {4}, {0.25}), std::vector<int64_t>{3});
        QCOMPARE(axisStarts({10}, {4}, {3})[0], (std::vector<int64_t>{0, 3, 6}));
        // image 11: a 4th window at 9 is shifted back to 11 - 4 = 7.
        QCOMPARE(axisStarts({11}, {4}, {3})[0], (std::vector<int64_t>{0, 3, 6, 7}));
        // roi == image: one window, interval = roi whatever the overlap.
        QCOMPARE(scanInterval({8}, {8}, {0.5}), std::vector<int64_t>{8});
        // MONAI's double arithmetic: 10 * (1 - 0.9) = 0.99999... -> 0 -> 1;
        // 10 * (1 - 0.7) = 3.0000000000000004 -> 3; overlap 0 -> roi.
        QCOMPARE(scanInterval({30, 30, 30}, {10, 10, 10}, {0.9, 0.7, 0.0}),
                 (std::vector<int64_t>{1, 3, 10}));
        // 2D order: the last axis varies fastest (meshgrid "ij").
        const auto starts = windowStarts({10, 11}, {4, 4}, {3, 3});
        QCOMPARE(starts.size(), size_t(12));
        QCOMPARE(starts[1], (std::vector<int64_t>{0, 3}));
        QCOMPARE(starts[3], (std::vector<int64_t>{0, 7}));
        QCOMPARE(starts[4], (std::vector<int64_t>{3, 0}));
        QCOMPARE(starts[11], (std::vector<int64_t>{6, 7}));
        // -1 and 0 take the image size; one value covers every axis.
        QCOMPARE(resolveRoi({-1, 5, 0}, {7, 8, 9}, "roi"), (std::vector<int64_t>{7, 5, 9}));
        QCOMPARE(resolveRoi({6}, {7, 8}, "roi"), (std::vector<int64_t>{6, 6}));
    }

    void importanceMapClosedForm() {
        QVERIFY(torch::equal(
            importanceMap({3, 4}, "constant", {0.125}, torch::kFloat, torch::kCPU, "m"),
            torch::ones({3, 4})));
        // 1D, n = 5, sigma = 5 * 0.125: exp(-x^2 / (2 sigma^2)), x = -2..2.
        const at::Tensor g =
            importanceMap({5}, "gaussian", {0.125}, torch::kDouble, torch::kCPU, "m");
        for (int i = 0; i < 5; ++i) {
            const double x = i - 2.0, s = 0.625;
            QVERIFY(std::abs(g[i].item<double>() - std::exp(-x * x / (2 * s * s))) < 1e-7);
        }
        // 2D: the outer product of the axes' Gaussians (per-axis sigma_scale).
        const at::Tensor a = importanceMap({5}, "gaussian", {0.2}, torch::kFloat, torch::kCPU, "m");
        const at::Tensor b = importanceMap({4}, "gaussian", {0.3}, torch::kFloat, torch::kCPU, "m");
        const at::Tensor ab =
            importanceMap({5, 4}, "gaussian", {0.2, 0.3}, torch::kFloat, torch::kCPU, "m");
        QVERIFY(allClose(ab, a.unsqueeze(1) * b.unsqueeze(0), 1e-6, 0));
        // Tiny sigma: the corners are clamped up to 1e-3.
        const at::Tensor t =
            importanceMap({9}, "gaussian", {0.05}, torch::kFloat, torch::kCPU, "m");
        QCOMPARE(t.min().item<float>(), 1e-3f);
        QCOMPARE(t[4].item<float>(), 1.0f);
    }

    void identityReturnsInput_data() {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<double>("overlap");
        QTest::addColumn<int>("roi");
        QTest::addColumn<int>("batch");
        QTest::newRow("constant 0.25 roi 4") << "constant" << 0.25 << 4 << 3;
        QTest::newRow("gaussian 0.5 roi 6") << "gaussian" << 0.5 << 6 << 4;
        QTest::newRow("gaussian 0.8 roi 5") << "gaussian" << 0.8 << 5 << 1;
        QTest::newRow("constant 0 roi 7") << "constant" << 0.0 << 7 << 2;
        QTest::newRow("gaussian roi > image") << "gaussian" << 0.25 << 16 << 2;
        QTest::newRow("roi -1 (whole image)") << "gaussian" << 0.25 << -1 << 2;
    }
    void identityReturnsInput() {
        QFETCH(QString, mode);
        QFETCH(double, overlap);
        QFETCH(int, roi);
        QFETCH(int, batch);
        torch::manual_seed(1);
        for (const at::Tensor& x :
             {torch::randn({2, 3, 13, 10, 9}), torch::randn({1, 2, 11, 14})}) {
            const auto inf = sliding({roi}, overlap, mode.toStdString(), batch);
            const at::Tensor before = x.clone();
            int calls = 0, largest = 0;
            const at::Tensor y = inf(x, [&](const at::Tensor& w) {
                ++calls;
                largest = std::max(largest, int(w.size(0)));
                return w;
            });
            QVERIFY(calls > 0);
            QVERIFY(largest <= batch);
            // sum(w x) / sum(w) = x up to float32 rounding (up to 125 windows
            // per voxel with overlap 0.8).
            std::string why;
            QVERIFY2(allClose(y, x, 1e-5, 1e-5, &why), why.c_str());
            QVERIFY(torch::equal(x, before)); // the inputs are untouched
        }
    }

    void zoomedPredictorWithMoreChannels() {
        // The predictor returns (x, 2x) upsampled x2 (MONAI's zoomed case):
        // the blended output is that map of the whole image.
        torch::manual_seed(2);
        const at::Tensor x = torch::randn({1, 1, 12, 10, 14});
        auto zoomed = [](const at::Tensor& w) {
            return torch::upsample_nearest3d(torch::cat({w, 2 * w}, 1),
                                             {2 * w.size(2), 2 * w.size(3), 2 * w.size(4)});
        };
        const at::Tensor want = zoomed(x);
        for (auto roi : {std::vector<int64_t>{6, 4, 8}, std::vector<int64_t>{16, 4, 8}}) {
            const at::Tensor y = sliding(roi, 0.5, "gaussian")(x, zoomed);
            QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{1, 2, 24, 20, 28}));
            std::string why;
            QVERIFY2(allClose(y, want, 1e-6, 1e-6, &why), why.c_str());
        }
        // A scale of 17/7: in double the window at 14 ends at int(21 * (17/7.))
        // = int(50.99999) = 50, only 16 voxels after int(14 * (17/7.)) = 34;
        // MONAI fails to broadcast there, Medulla names roi_size.
        auto odd = [](const at::Tensor& w) { return torch::upsample_nearest2d(w, {17, 17}); };
        QCOMPARE(errorField<ShapeError>([&] {
                     sliding({7, 7}, 0.0, "constant")(torch::ones({1, 1, 21, 7}), odd);
                 }),
                 std::string("SlidingWindowInferer.roi_size"));
    }

    void paddingWhenRoiLargerThanImage() {
        // One window covers the padded image; the predictor returns the
        // window's mean everywhere, so the output is the padded mean.
        const at::Tensor x = torch::arange(24, torch::kFloat).reshape({1, 1, 4, 6}) + 1;
        auto mean = [](const at::Tensor& w) { return w.mean({2, 3}, true).expand_as(w).clone(); };
        auto inf = [](const std::string& padding) {
            return SlidingWindowInferer(
                SlidingWindowInfererOptions().roi_size({6, 6}).padding_mode(padding).cval(2.0));
        };
        const at::Tensor c = inf("constant")(x, mean);
        QCOMPARE(c.sizes().vec(), (std::vector<int64_t>{1, 1, 4, 6}));
        const double sum = 24 * 25 / 2.0; // 1 + ... + 24, padded with 12 twos
        QVERIFY(allClose(c, torch::full({1, 1, 4, 6}, (sum + 12 * 2.0) / 36), 1e-6, 0));
        // replicate: rows 0 and 3 are repeated once each.
        const double rows = x[0][0][0].sum().item<double>() + x[0][0][3].sum().item<double>();
        QVERIFY(allClose(inf("replicate")(x, mean), torch::full({1, 1, 4, 6}, (sum + rows) / 36),
                         1e-6, 0));
        // reflect cannot pad more than the image has: ShapeError naming padding_mode.
        const at::Tensor tiny = torch::ones({1, 1, 2, 6});
        QCOMPARE(errorField<ShapeError>([&] { inf("reflect")(tiny, mean); }),
                 std::string("SlidingWindowInferer.padding_mode"));
    }

    void devicesAndCpuAccumulation() {
        // device = CPU stitches in host memory; with CUDA the windows run
        // on the GPU (sw_device) and the output still comes back on the CPU.
        torch::manual_seed(3);
        const at::Tensor x = torch::randn({1, 2, 9, 8, 7});
        auto twice = [](const at::Tensor& w) { return w * 2; };
        auto options = SlidingWindowInfererOptions().roi_size({4}).mode("gaussian");
        const at::Tensor ref = SlidingWindowInferer(options)(x, twice);
        const at::Tensor cpu = SlidingWindowInferer(options.device(torch::kCPU))(x, twice);
        QVERIFY(cpu.device().is_cpu());
        QVERIFY(allClose(cpu, 2 * x, 1e-6, 1e-6));
        QVERIFY(torch::equal(cpu, ref));
        if (torch::cuda::is_available()) {
            bool onGpu = true;
            const at::Tensor gpu =
                SlidingWindowInferer(options.sw_device(c10::Device("cuda")).device(torch::kCPU))(
                    x, [&](const at::Tensor& w) {
                        onGpu = onGpu && w.is_cuda();
                        return w * 2;
                    });
            QVERIFY(onGpu && gpu.device().is_cpu());
            QVERIFY(allClose(gpu, ref, 1e-5, 1e-5));
        } else {
            QCOMPARE(errorField<ConfigError>(
                         [&] { SlidingWindowInferer(options.sw_device(c10::Device("cuda"))); }),
                     std::string("SlidingWindowInferer.sw_device"));
        }
    }

    void cancellationAndProgress() {
        const at::Tensor x = torch::zeros({1, 1, 10, 10});
        const auto inf = sliding({4, 4}, 0.25, "constant", 2); // 9 windows, 5 calls
        Recorder progress;
        inf.infer(
            x, [](const at::Tensor& w) { return w; }, nullptr, &progress);
        QCOMPARE(progress.fractions,
                 (std::vector<double>{2 / 9.0, 4 / 9.0, 6 / 9.0, 8 / 9.0, 1.0}));
        // Cancelled during the 2nd call: polled before the 3rd, CancelledError.
        CancelToken token;
        int calls = 0;
        bool threw = false;
        try {
            inf(
                x,
                [&](const at::Tensor& w) {
                    if (++calls == 2)
                        token.cancel();
                    return w;
                },
                &token);
        } catch (const CancelledError&) {
            threw = true;
        }
        QVERIFY(threw);
        QCOMPARE(calls, 2);
    }

    void gradientsFlowAfterAnInferenceModeCall() {
        // The cached map of a first call under InferenceMode must not stop a
        // later call that records gradients (d sum(out) / d scale = sum(x)).
        const auto inf = sliding({4, 4}, 0.5, "gaussian");
        const at::Tensor x = torch::rand({1, 1, 9, 7});
        {
            c10::InferenceMode mode;
            inf(x, [](const at::Tensor& w) { return w; });
        }
        at::Tensor scale = torch::ones({1}, torch::requires_grad());
        inf(x, [&](const at::Tensor& w) { return w * scale; }).sum().backward();
        QVERIFY(std::abs(scale.grad().item<double>() - x.sum().item<double>()) < 1e-3);
    }

    void errorsNameTheField() {
        auto ok = [] { return SlidingWindowInfererOptions().roi_size({8, 8}); };
        const at::Tensor x = torch::zeros({1, 1, 10, 10, 10});
        auto id = [](const at::Tensor& w) { return w; };
        QCOMPARE(errorField<ShapeError>([&] { SlidingWindowInferer{ok()}(x, id); }),
                 std::string("SlidingWindowInferer.roi_size"));
        QCOMPARE(errorField<ConfigError>([&] { SlidingWindowInferer{ok().overlap({1.0})}; }),
                 std::string("SlidingWindowInferer.overlap"));
        QCOMPARE(errorField<ConfigError>([&] { SlidingWindowInferer{ok().overlap({-0.1})}; }),
                 std::string("SlidingWindowInferer.overlap"));
        QCOMPARE(errorField<ConfigError>([&] { SlidingWindowInferer{ok().sw_batch_size(0)}; }),
                 std::string("SlidingWindowInferer.sw_batch_size"));
        QCOMPARE(errorField<ShapeError>([&] {
                     SlidingWindowInferer{ok().roi_size({8}).sw_batch_size(2)}(
                         x, [](const at::Tensor& w) { return w.narrow(0, 0, 1); });
                 }),
                 std::string("SlidingWindowInferer.predictor"));
        // Through the factory, errors name the experiment's field.
        QCOMPARE(errorField<ConfigError>([] {
                     makeInferer({{"name", "SlidingWindowInferer"},
                                  {"roi_size", {8, 8}},
                                  {"overlap", 1.5}});
                 }),
                 std::string("inferer.overlap"));
        QCOMPARE(
            errorField<ConfigError>([] {
                makeInferer({{"name", "SlidingWindowInferer"}, {"roi_size", 8}, {"sw_batch", 2}});
            }),
            std::string("inferer.sw_batch"));
        QCOMPARE(errorField<ConfigError>([] {
                     makeInferer({{"name", "SlidingWindowInferer"}, {"roi_size", {8, "a"}}});
                 }),
                 std::string("inferer.roi_size[1]"));
    }

    void factoryJsonRoundTrip() {
        const Json config = {{"name", "SlidingWindowInferer"},
                             {"roi_size", {96, nullptr, 96}},
                             {"sw_batch_size", 4},
                             {"overlap", 0.25},
                             {"mode", "gaussian"},
                             {"device", "cpu"}};
        const InfererPtr inf = makeInferer(config);
        const auto& o = dynamic_cast<const SlidingWindowInferer&>(*inf).options();
        QCOMPARE(o.roi_size(), (std::vector<int64_t>{96, -1, 96}));
        QCOMPARE(o.sw_batch_size(), int64_t(4));
        QCOMPARE(o.mode(), std::string("gaussian"));
        QVERIFY(o.device() && o.device()->is_cpu() && !o.sw_device());
        QCOMPARE(makeInferer(inf->toJson())->toJson(), inf->toJson());
        QCOMPARE(makeInferer({{"name", "SimpleInferer"}})->name(), std::string("SimpleInferer"));
        QCOMPARE(infererInfos().size(), size_t(2));
        QCOMPARE(infererRegistry().info("SlidingWindowInferer").category, std::string("inferer"));
    }

    void meanEnsembleWeights() {
        // Three models, weights per model (1, 2, 3) -> w / mean = (0.5, 1, 1.5).
        const std::vector<at::Tensor> items = {torch::full({2, 3}, 1.0), torch::full({2, 3}, 2.0),
                                               torch::full({2, 3}, 4.0)};
        const at::Tensor w = torch::tensor({1.0f, 2.0f, 3.0f});
        QVERIFY(allClose(meanEnsemble(items, w), torch::full({2, 3}, (0.5 + 2 + 6) / 3), 1e-6, 0));
        QVERIFY(allClose(meanEnsemble(items), torch::full({2, 3}, 7 / 3.0), 1e-6, 0));
        // Per model and channel: channel 1 only trusts model 2.
        const at::Tensor wc = torch::tensor({{1.0f, 0.0f}, {1.0f, 0.0f}, {1.0f, 3.0f}});
        const at::Tensor out = meanEnsemble(torch::stack(items), wc);
        QVERIFY(allClose(out[0], torch::full({3}, 7 / 3.0), 1e-6, 0));
        QVERIFY(allClose(out[1], torch::full({3}, 4.0), 1e-6, 0));
        QCOMPARE(errorField<ShapeError>([&] { meanEnsemble(items, torch::ones({2})); }),
                 std::string("MeanEnsemble.weights"));
        QCOMPARE(errorField<ShapeError>([&] {
                     meanEnsemble({torch::ones({2}), torch::ones({3})});
                 }),
                 std::string("MeanEnsemble.keys"));
    }

    void voteEnsembleTies() {
        // One-hot, two models disagree: 0.5 rounds half to even -> 0.
        const at::Tensor a = torch::tensor({1.0f, 0.0f, 1.0f}),
                         b = torch::tensor({0.0f, 0.0f, 1.0f});
        QVERIFY(torch::equal(voteEnsemble({a, b}), torch::tensor({0.0f, 0.0f, 1.0f})));
        QVERIFY(torch::equal(voteEnsemble({a, b, a}), torch::tensor({1.0f, 0.0f, 1.0f})));
        // Label maps: the most frequent label; a 3-way tie goes to the smallest.
        const std::vector<at::Tensor> labels = {
            torch::tensor({{2, 1, 0}}), torch::tensor({{1, 1, 2}}), torch::tensor({{0, 2, 2}})};
        const at::Tensor v = voteEnsemble(labels, 3);
        QVERIFY(torch::equal(v, torch::tensor({{0, 1, 2}})));
        QCOMPARE(v.scalar_type(), torch::kLong);
        QCOMPARE(errorField<ConfigError>([&] { voteEnsemble(labels, 2); }),
                 std::string("VoteEnsemble.num_classes"));
    }

    void ensembleDictionaryTransforms() {
        Sample s;
        s.volumes["pred0"] = Volume(torch::full({2, 3, 3}, 1.0f));
        s.volumes["pred1"] = Volume(torch::full({2, 3, 3}, 3.0f));
        const Json meanConfig = {{"name", "MeanEnsembled"},
                                 {"keys", {"pred0", "pred1"}},
                                 {"output_key", "pred"},
                                 {"weights", {{1, 1}, {1, 3}}}};
        const auto mean = transformRegistry().create(meanConfig, "post[0]");
        RandomGenerator rng(0);
        const Sample m = mean->apply(s, rng);
        QVERIFY(allClose(m.at("pred").data()[0], torch::full({3, 3}, 2.0), 1e-6, 0));
        QVERIFY(allClose(m.at("pred").data()[1], torch::full({3, 3}, 2.5), 1e-6, 0));
        QCOMPARE(transformRegistry().create(mean->toJson(), "t")->toJson(), mean->toJson());

        s.volumes["pred1"] = Volume(torch::full({2, 3, 3}, 0.0f));
        s.volumes["pred2"] = Volume(torch::full({2, 3, 3}, 1.0f));
        const auto vote = transformRegistry().create(
            {{"name", "VoteEnsembled"}, {"keys", {"pred0", "pred1", "pred2"}}, {"output_key", "v"}},
            "post[1]");
        QVERIFY(torch::equal(vote->apply(s, rng).at("v").data(), torch::ones({2, 3, 3})));
        QCOMPARE(transformRegistry().create(vote->toJson(), "t")->toJson(), vote->toJson());
        QCOMPARE(errorField<ConfigError>([] {
                     transformRegistry().create({{"name", "VoteEnsembled"}, {"keys", {"a", "b"}}},
                                                "post[2]");
                 }),
                 std::string("VoteEnsembled.output_key"));
    }
};

QTEST_MAIN(TestInference)
#include "test_inference.moc"
