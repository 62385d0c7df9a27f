/// ConfusionMatrixMetric and ROCAUCMetric on hand-computed cases (every
/// measure, aliases, compute_sample, ties, single-valued labels), and the
/// fused overlap-sum kernel against the ATen path on random data.

#include "MetricTestSupport.h"
#include "TestSupport.h"

#include <chrono>

#include "engine/core/Error.h"
#include "engine/metrics/ConfusionMatrixMetric.h"
#include "engine/metrics/DiceMetric.h"
#include "engine/metrics/ROCAUCMetric.h"
#include "kernels/cpu/OverlapSums.h"

using namespace medulla;
using kernels::OverlapKind;
using test::at1;
using test::masks;
using test::near;

namespace {

/// tp 3, fp 2, tn 4, fn 1 (one case, one class).
at::Tensor cmPred() {
    return masks({{"1110110000"}});
}
at::Tensor cmTruth() {
    return masks({{"1111000000"}});
}

bool sameSums(const at::Tensor& p, const at::Tensor& y, double rtol) {
    for (OverlapKind k : {OverlapKind::Dice, OverlapKind::IoU, OverlapKind::Confusion}) {
        const at::Tensor fused = kernels::overlapSums(p, y, k);
        const at::Tensor aten = kernels::overlapSums(p, y, k, false);
        if (!torch::allclose(fused, aten, rtol, 1e-9)) {
            qWarning("kind %d: max diff %g", int(k), (fused - aten).abs().max().item<double>());
            return false;
        }
    }
    return true;
}

} // namespace

class TestMetricScores : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void confusionMatrixEveryMeasure() {
        ConfusionMatrixMetric m(ConfusionMatrixMetricOptions().metric_name({"Recall"}));
        const at::Tensor raw = m(cmPred(), cmTruth());
        QCOMPARE(raw.sizes(), (at::IntArrayRef{1, 1, 4}));
        QVERIFY(torch::equal(raw.flatten(), torch::tensor({3.f, 2.f, 4.f, 1.f})));
        QCOMPARE(m.aggregate().front().name, std::string("Recall"));
        const double tpr = 0.75, tnr = 4.0 / 6.0, ppv = 0.6, npv = 0.8;
        const std::vector<std::pair<const char*, double>> want = {
            {"sensitivity", tpr},
            {"true positive rate", tpr},
            {"specificity", tnr},
            {"precision", ppv},
            {"negative predictive value", npv},
            {"miss rate", 0.25},
            {"fall out", 2.0 / 6.0},
            {"false discovery rate", 0.4},
            {"false_omission_rate", 0.2},
            {"prevalence threshold", (std::sqrt(tpr * (1 - tnr)) + tnr - 1) / (tpr + tnr - 1)},
            {"critical success index", 0.5},
            {"accuracy", 0.7},
            {"balanced accuracy", (tpr + tnr) / 2},
            {"f1 score", 6.0 / 9.0},
            {"MCC", (3.0 * 4 - 2.0 * 1) / std::sqrt(5.0 * 4 * 6 * 5)},
            {"fowlkes mallows index", std::sqrt(ppv * tpr)},
            {"youden", tpr + tnr - 1},
            {"deltap", ppv + npv - 1},
        };
        for (const auto& [name, value] : want)
            QVERIFY2(near(at1(ConfusionMatrixMetric::measure(name, raw)), value, 1e-6), name);
        // a zero denominator gives NaN: no positives at all
        const at::Tensor none = torch::tensor({0.f, 2.f, 8.f, 0.f});
        QVERIFY(std::isnan(at1(ConfusionMatrixMetric::measure("sensitivity", none))));
        QVERIFY(near(at1(ConfusionMatrixMetric::measure("specificity", none)), 0.8));
    }

    void confusionMatrixReductionOrder() {
        // case 0: tp 1 fn 1 (sensitivity 1/2); case 1: tp 3 fn 0 (1)
        const at::Tensor p = masks({{"1000"}, {"1110"}}), y = masks({{"1100"}, {"1110"}});
        ConfusionMatrixMetric pooled(
            ConfusionMatrixMetricOptions().metric_name({"tpr", "acc"}).reduction("sum"));
        pooled(p, y);
        const auto v = pooled.aggregate();
        QCOMPARE(v.size(), size_t(2));
        QCOMPARE(v[1].name, std::string("acc"));
        QVERIFY(near(at1(v[0].value), 4.0 / 5.0)); // matrices summed first
        QCOMPARE(v[0].notNans.sizes(), (at::IntArrayRef{4}));
        ConfusionMatrixMetric perCase(
            ConfusionMatrixMetricOptions().metric_name({"tpr"}).compute_sample(true).reduction(
                "mean"));
        perCase(p, y, MetricCall{{}, {"p1", "p2"}});
        QVERIFY(near(at1(perCase.aggregate().front().value), 0.75)); // (1/2 + 1) / 2
        const MetricTable t = perCase.table();
        QCOMPARE(t.columns, (std::vector<std::string>{"tpr[0]"}));
        QVERIFY(near(t.rows[0][0], 0.5) && near(t.rows[1][0], 1.0));
        // a classification batch (B, C) turns compute_sample off, as MONAI:
        // cases [tp, tn], [fn, tp], [fn, fn]; per case tpr 1, 1/2, 0 (mean
        // 1/2) but pooled tp 1/3, fn 1/2 -> 0.4
        perCase.reset();
        perCase(torch::tensor({1.f, 0.f, 0.f, 1.f, 0.f, 0.f}).view({3, 2}),
                torch::tensor({1.f, 0.f, 1.f, 1.f, 1.f, 1.f}).view({3, 2}));
        QVERIFY(near(at1(perCase.aggregate().front().value), 0.4));
        // names: any alias, case and spaces free; errors name the list entry
        const auto [msg, field] = test::thrown<ConfigError>([] {
            test::makeMetric(
                {{"name", "ConfusionMatrixMetric"}, {"metric_name", {"F1 Score", "nope"}}});
        });
        QCOMPARE(field, std::string("metric.metric_name[1]"));
        QVERIFY2(msg.find("unknown metric name \"nope\"") != std::string::npos &&
                     msg.find("youden_index") != std::string::npos,
                 msg.c_str());
    }

    void rocAucTiesAndSingleValuedClass() {
        // negatives 0.1, 0.4; positives 0.4, 0.8: pairs 1 + 1 + 1/2 + 1 of 4
        const at::Tensor s = torch::tensor({0.1, 0.4, 0.4, 0.8}), l = torch::tensor({0, 0, 1, 1});
        QVERIFY(near(ROCAUCMetric::auc(s, l), 0.875));
        QVERIFY(std::isnan(ROCAUCMetric::auc(s, torch::ones({4}))));
        QVERIFY(std::isnan(ROCAUCMetric::auc(s, torch::tensor({0, 2, 1, 1}))));
        // two calls of (N, 2): class 0 = the case above, class 1 all positive
        const at::Tensor scores = torch::stack({s, torch::tensor({0.3, 0.2, 0.9, 0.5})}, 1);
        const at::Tensor labels = torch::stack({l.to(torch::kFloat), torch::ones({4})}, 1);
        ROCAUCMetric none(ROCAUCMetricOptions().average("none"));
        none(scores.slice(0, 0, 3), labels.slice(0, 0, 3));
        none(scores.slice(0, 3), labels.slice(0, 3));
        const at::Tensor perClass = none.aggregate().front().value;
        QCOMPARE(perClass.scalar_type(), torch::kDouble);
        QVERIFY(near(at1(perClass, {0}), 0.875) && std::isnan(at1(perClass, {1})));
        QCOMPARE(at1(none.aggregate().front().notNans, {1}), 0.0);
        QCOMPARE(none.table().rows.size(), size_t(4));
        QVERIFY(none.table().columns.empty());
        ROCAUCMetric macro;
        macro(scores, labels);
        QVERIFY(std::isnan(at1(macro.aggregate().front().value))); // NaN propagates
        // micro: all 8 scores as one; negatives 0.1, 0.4 vs positives
        // 0.4 0.8 0.3 0.2 0.9 0.5: 0.1 loses to all 6, 0.4 ties once, beats 3
        ROCAUCMetric micro(ROCAUCMetricOptions().average("micro"));
        micro(scores, labels);
        QVERIFY(near(at1(micro.aggregate().front().value), (6 + 3.5) / 12.0));
        // weighted by positives: class 1 labels 1 0 1 1 -> AUC 1 (3 positives)
        ROCAUCMetric weighted(ROCAUCMetricOptions().average("weighted"));
        weighted(scores,
                 torch::stack({l.to(torch::kFloat), torch::tensor({1.f, 0.f, 1.f, 1.f})}, 1));
        QVERIFY(near(at1(weighted.aggregate().front().value), (0.875 * 2 + 1.0 * 3) / 5));
        // binary (N, 1) squeezes
        ROCAUCMetric binary;
        binary(s.unsqueeze(1), l.unsqueeze(1));
        QCOMPARE(binary.aggregate().front().value.dim(), int64_t(0));
        QVERIFY(near(at1(binary.aggregate().front().value), 0.875));
        QVERIFY_THROWS_EXCEPTION(ShapeError, binary(scores, labels));
        QVERIFY_THROWS_EXCEPTION(ShapeError, ROCAUCMetric()(scores, labels.slice(1, 0, 1)));
        const auto bad = test::thrown<ConfigError>([] {
            test::makeMetric({{"name", "ROCAUCMetric"}, {"average", "mode"}});
        });
        QCOMPARE(bad.second, std::string("metric.average"));
    }

    void fusedSumsEqualAten() {
        torch::manual_seed(7);
        // odd spatial sizes (tails), several chunks per channel, 2 and 0 values
        for (std::vector<int64_t> shape :
             {std::vector<int64_t>{2, 3, 17, 9, 5}, std::vector<int64_t>{1, 2, 70001},
              std::vector<int64_t>{3, 4}}) {
            const at::Tensor pu = torch::randint(0, 3, shape, torch::kByte);
            const at::Tensor yu = torch::randint(0, 2, shape, torch::kByte);
            QVERIFY(kernels::overlapSumsFused(pu, yu));
            QVERIFY(sameSums(pu, yu, 0));
            QVERIFY(sameSums(pu.to(torch::kBool), yu.to(torch::kBool), 0));
            QVERIFY(sameSums(pu.to(torch::kDouble), yu.to(torch::kDouble), 1e-12));
            // non-binary weights in float32: float lanes, float64 reference
            const at::Tensor pf = torch::rand(shape), yf = torch::rand(shape);
            QVERIFY(sameSums(pf.gt(0.5).to(torch::kFloat), yf, 1e-5));
            QVERIFY(sameSums(pf, yf, 1e-5));
            // a channel slice keeps the fused pass
            QVERIFY(kernels::overlapSumsFused(pf.slice(1, 1), yf.slice(1, 1)));
            QVERIFY(sameSums(pf.slice(1, 1), yf.slice(1, 1), 1e-5));
        }
        // strided spatial axes and mixed dtypes take the ATen path: same values
        const at::Tensor p = torch::randint(0, 2, {2, 3, 8, 6, 4}).to(torch::kFloat);
        const at::Tensor y = torch::randint(0, 2, {2, 3, 8, 6, 4}).to(torch::kFloat);
        const at::Tensor pt = p.transpose(2, 4), yt = y.transpose(2, 4);
        QVERIFY(!kernels::overlapSumsFused(pt, yt));
        QVERIFY(!kernels::overlapSumsFused(p, y.to(torch::kByte)));
        for (OverlapKind k : {OverlapKind::Dice, OverlapKind::IoU, OverlapKind::Confusion}) {
            const at::Tensor want = kernels::overlapSums(pt.contiguous(), yt.contiguous(), k);
            QVERIFY(torch::equal(kernels::overlapSums(pt, yt, k), want));
            QVERIFY(torch::equal(kernels::overlapSums(p, y.to(torch::kByte), k),
                                 kernels::overlapSums(p, y, k)));
        }
        // and the metric gives the same Dice either way
        const DiceMetric dice;
        QVERIFY(torch::allclose(dice.compute(pt, yt),
                                dice.compute(pt.contiguous(), yt.contiguous()), 0, 0, true));
    }

    void fusedDiceTiming() {
        // the benchmark's shape: (1, 2, 256, 256, 128) float32 one-hot. No
        // timed assertion; bench/bench_dice.cpp reports the figure.
        torch::manual_seed(1);
        const at::Tensor fg = torch::rand({1, 1, 256, 256, 128}).gt(0.7).to(torch::kFloat);
        const at::Tensor yfg = torch::rand({1, 1, 256, 256, 128}).gt(0.7).to(torch::kFloat);
        const at::Tensor p = torch::cat({1 - fg, fg}, 1), y = torch::cat({1 - yfg, yfg}, 1);
        const MetricPtr m =
            test::makeMetric({{"name", "DiceMetric"}, {"include_background", false}});
        double best = 1e9, value = 0;
        for (int i = 0; i < 5; ++i) {
            m->reset();
            const auto t0 = std::chrono::steady_clock::now();
            (*m)(p, y);
            value = at1(m->aggregate().front().value);
            best = std::min(
                best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        qInfo("DiceMetric (1, 2, 256, 256, 128) float32: %.4f s per call + aggregate", best);
        // independent Dice of two uniform 30% masks: 2 * 0.09 / 0.6 = 0.3
        QVERIFY(near(value, 0.3, 2e-3));
    }
};

QTEST_GUILESS_MAIN(TestMetricScores)
#include "test_metrics_scores.moc"
