/// DiceMetric and MeanIoU on hand-computed cases: label maps, the empty
/// ground-truth conventions, every reduction with its not_nans, cumulative
/// calls, case ids, the per-case table and CSV, and named errors.

#include "MetricTestSupport.h"
#include "TestSupport.h"

#include <QDir>
#include <QFile>

#include "engine/core/Error.h"
#include "engine/metrics/DiceMetric.h"
#include "engine/metrics/MeanIoU.h"

using namespace medulla;
using test::at1;
using test::masks;
using test::near;

namespace {

/// Per (case, class) Dice without the background: [[0.5, NaN], [1, 2/3]].
at::Tensor diceExamplePred() {
    return masks({{"0000", "1010", "0000"}, {"0000", "1000", "1101"}});
}
at::Tensor diceExampleTruth() {
    return masks({{"0000", "1100", "0000"}, {"0000", "1000", "1110"}});
}

/// Labels 0..2 of six voxels, as (1, 1, 6) maps and (1, 3, 6) one-hot.
at::Tensor labelsOf(std::vector<int64_t> v) {
    return torch::tensor(v, torch::kLong).view({1, 1, -1});
}
at::Tensor oneHot3(const at::Tensor& labels) {
    return torch::one_hot(labels[0][0], 3).t().unsqueeze(0).to(torch::kFloat);
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void diceHandComputed() {
        // class 1: gt 2 voxels, prediction hits 1 of them alone -> 2/3;
        // case 1 has an empty ground truth -> NaN
        const at::Tensor y = masks({{"0011", "1100"}, {"1111", "0000"}});
        const at::Tensor p = masks({{"0111", "1000"}, {"1111", "0000"}});
        DiceMetric m(DiceMetricOptions().include_background(false));
        const at::Tensor d = m(p, y);
        QCOMPARE(d.sizes(), (at::IntArrayRef{2, 1}));
        QCOMPARE(d.scalar_type(), torch::kFloat);
        QVERIFY(near(at1(d, {0, 0}), 2.0 / 3.0));
        QVERIFY(std::isnan(at1(d, {1, 0})));
        QVERIFY(near(at1(m.aggregate().front().value), 2.0 / 3.0));
        // with the background: 2*2 / (2 + 3) = 0.8 for class 0
        const at::Tensor all = DiceMetric().compute(p, y);
        QVERIFY(near(at1(all, {0, 0}), 0.8));
        QVERIFY(near(at1(all, {1, 0}), 1.0));
        // float64 inputs give float64 values
        QCOMPARE(DiceMetric().compute(p.to(torch::kDouble), y).scalar_type(), torch::kDouble);
    }

    void diceLabelMapsAndBinary() {
        // y 0 1 1 2 2 0, prediction 0 1 2 2 2 1:
        // class 0: 2*1/(2+1); class 1: 2*1/(2+2); class 2: 2*2/(2+3)
        const at::Tensor y = labelsOf({0, 1, 1, 2, 2, 0}), p = labelsOf({0, 1, 2, 2, 2, 1});
        const std::vector<double> want = {2.0 / 3.0, 0.5, 0.8};
        const at::Tensor oneHot = DiceMetric().compute(oneHot3(p), oneHot3(y));
        const at::Tensor labelY = DiceMetric().compute(oneHot3(p), y);
        const at::Tensor bothLabels = DiceMetric(DiceMetricOptions().num_classes(3)).compute(p, y);
        for (int64_t c = 0; c < 3; ++c) {
            QVERIFY(near(at1(oneHot, {0, c}), want[size_t(c)]));
            QVERIFY(near(at1(labelY, {0, c}), want[size_t(c)]));
            QVERIFY(near(at1(bothLabels, {0, c}), want[size_t(c)]));
        }
        // a single channel is the binary foreground (class 1), background or not
        const at::Tensor pb = masks({{"0110"}}), yb = masks({{"0100"}});
        DiceMetric binary;
        QVERIFY(near(at1(binary(pb, yb)), 2.0 / 3.0));
        QCOMPARE(binary.table().columns, (std::vector<std::string>{"Dice[1]"}));
        // MONAI's return_with_label: per-class values rounded to 4 decimals
        DiceMetric labelled(DiceMetricOptions().reduction("mean_batch").return_with_label(true));
        labelled(oneHot3(p), oneHot3(y));
        const auto values = labelled.aggregate();
        QCOMPARE(values.size(), size_t(3));
        QCOMPARE(values[0].name, std::string("label_0"));
        QCOMPARE(at1(values[0].value), 0.6667);
        const MetricPtr named = test::makeMetric({{"name", "DiceMetric"},
                                                  {"include_background", false},
                                                  {"reduction", "mean_batch"},
                                                  {"return_with_label", {"liver", "tumour"}}});
        (*named)(oneHot3(p), oneHot3(y));
        QCOMPARE(named->aggregate()[1].name, std::string("tumour"));
        QCOMPARE(at1(named->aggregate()[1].value), 0.8);
    }

    void meanIoUHandComputed() {
        // the six voxels above: class 0: 1/2; class 1: 1/3; class 2: 2/3
        const at::Tensor y = oneHot3(labelsOf({0, 1, 1, 2, 2, 0}));
        const at::Tensor p = oneHot3(labelsOf({0, 1, 2, 2, 2, 1}));
        const at::Tensor iou = MeanIoU().compute(p, y);
        QVERIFY(near(at1(iou, {0, 0}), 0.5));
        QVERIFY(near(at1(iou, {0, 1}), 1.0 / 3.0));
        QVERIFY(near(at1(iou, {0, 2}), 2.0 / 3.0));
        MeanIoU noBackground(MeanIoUOptions().include_background(false));
        QCOMPARE(noBackground(p, y).sizes(), (at::IntArrayRef{1, 2}));
        QVERIFY(near(at1(noBackground.aggregate().front().value), 0.5));
        QCOMPARE(noBackground.table().columns, (std::vector<std::string>{"IoU[1]", "IoU[2]"}));
    }

    void emptyGroundTruthConventions() {
        // class 0: empty truth, prediction not empty; class 1: both empty
        const at::Tensor y = masks({{"0000", "0000"}}), p = masks({{"0110", "0000"}});
        for (const char* metric : {"DiceMetric", "MeanIoU"}) {
            const MetricPtr ignore = test::makeMetric({{"name", metric}});
            const at::Tensor nan = (*ignore)(p, y);
            QVERIFY(std::isnan(at1(nan, {0, 0})) && std::isnan(at1(nan, {0, 1})));
            // nothing valid: MONAI's mean is 0 with not_nans 0
            QCOMPARE(at1(ignore->aggregate().front().value), 0.0);
            QCOMPARE(at1(ignore->aggregate().front().notNans), 0.0);
            const MetricPtr keep = test::makeMetric({{"name", metric}, {"ignore_empty", false}});
            const at::Tensor v = (*keep)(p, y);
            QCOMPARE(at1(v, {0, 0}), 0.0);
            QCOMPARE(at1(v, {0, 1}), 1.0);
        }
    }

    void everyReductionWithNotNans() {
        // values [[0.5, NaN], [1, 2/3]]
        const double t = 2.0 / 3.0, nan = std::nan("");
        struct Want {
            const char* reduction;
            std::vector<double> value, notNans;
        };
        const std::vector<Want> wants = {
            {"mean", {(0.5 + (1 + t) / 2) / 2}, {2}},
            {"sum", {0.5 + 1 + t}, {3}},
            {"mean_batch", {0.75, t}, {2, 1}},
            {"sum_batch", {1.5, t}, {2, 1}},
            {"mean_channel", {0.5, (1 + t) / 2}, {1, 2}},
            {"sum_channel", {0.5, 1 + t}, {1, 2}},
            {"none", {0.5, nan, 1, t}, {1, 0, 1, 1}},
        };
        for (const Want& w : wants) {
            const MetricPtr m = test::makeMetric({{"name", "DiceMetric"},
                                                  {"include_background", false},
                                                  {"reduction", w.reduction}});
            (*m)(diceExamplePred(), diceExampleTruth());
            const MetricValue v = m->aggregate().front();
            const at::Tensor value = v.value.reshape({-1}), notNans = v.notNans.reshape({-1});
            QCOMPARE(size_t(value.numel()), w.value.size());
            QCOMPARE(size_t(notNans.numel()), w.notNans.size());
            for (size_t i = 0; i < w.value.size(); ++i) {
                QVERIFY2(near(at1(value, {int64_t(i)}), w.value[i]), w.reduction);
                QVERIFY2(near(at1(notNans, {int64_t(i)}), w.notNans[i]), w.reduction);
            }
        }
    }

    void cumulativeCallsAndReset() {
        const at::Tensor p = diceExamplePred(), y = diceExampleTruth();
        DiceMetric once(DiceMetricOptions().include_background(false)), twice = once;
        once(torch::cat({p, p.slice(0, 1)}), torch::cat({y, y.slice(0, 1)}));
        twice(p, y);
        twice(p.slice(0, 1), y.slice(0, 1));
        QVERIFY(torch::equal(torch::nan_to_num(once.buffer(), -1),
                             torch::nan_to_num(twice.buffer(), -1)));
        QVERIFY(near(at1(once.aggregate().front().value), at1(twice.aggregate().front().value)));
        QCOMPARE(twice.caseIds(), (std::vector<std::string>{"case 0", "case 1", "case 2"}));
        twice.reset();
        QVERIFY(twice.caseIds().empty());
        QVERIFY_THROWS_EXCEPTION(std::logic_error, twice.aggregate());
        twice(p.slice(0, 1), y.slice(0, 1), MetricCall{{}, {"again"}});
        QCOMPARE(twice.caseIds(), (std::vector<std::string>{"again"}));
        QVERIFY(near(at1(twice.aggregate().front().value), (1 + 2.0 / 3.0) / 2));
    }

    void tableCsvAndAtomicWrite() {
        const at::Tensor p =
            masks({{"00000000", "11100001", "00000000"}, {"00000000", "10000000", "00000110"}});
        const at::Tensor y =
            masks({{"00000000", "11110000", "00000000"}, {"00000000", "10000000", "00001100"}});
        DiceMetric m(DiceMetricOptions().include_background(false));
        m(p, y, MetricCall{{}, {"a,1", "b\"q"}});
        const MetricTable t = m.table();
        QCOMPARE(t.columns, (std::vector<std::string>{"Dice[1]", "Dice[2]"}));
        const std::string csv = "case,Dice[1],Dice[2]\n\"a,1\",0.75,nan\n\"b\"\"q\",1,0.5\n";
        QCOMPARE(t.toCsv(), csv);
        QTemporaryDir dir;
        const std::string path = dir.filePath("scores.csv").toStdString();
        t.writeCsv(path);
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().toStdString(), csv);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"scores.csv"});
        const std::string missing =
            dir.filePath("scores.csv/x.csv").toStdString(); // a file in the way
        QVERIFY_THROWS_EXCEPTION(IoError, t.writeCsv(missing));
        QVERIFY_THROWS_EXCEPTION(ShapeError, m(p, y, MetricCall{{}, {"only one id"}}));
    }

    void namedErrors() {
        const at::Tensor a = torch::zeros({2, 3, 4, 4}), b = torch::zeros({2, 3, 4, 5});
        for (const char* metric : {"DiceMetric", "MeanIoU", "ConfusionMatrixMetric"}) {
            const MetricPtr m = test::makeMetric({{"name", metric}});
            const auto [msg, field] = test::thrown<ShapeError>([&] { (*m)(a, b); });
            QVERIFY2(msg.find("[2, 3, 4, 4]") != std::string::npos &&
                         msg.find("[2, 3, 4, 5]") != std::string::npos,
                     msg.c_str());
        }
        QVERIFY_THROWS_EXCEPTION(ShapeError,
                                 DiceMetric().compute(torch::zeros({2, 3}), torch::zeros({2, 3})));
        // a y with fewer channels than num_classes asks for
        QVERIFY_THROWS_EXCEPTION(ShapeError,
                                 DiceMetric(DiceMetricOptions().num_classes(4)).compute(a, a));
        const auto [msg, field] = test::thrown<ConfigError>([] {
            test::makeMetric({{"name", "MeanIoU"}, {"reduction", "average"}});
        });
        QCOMPARE(field, std::string("metric.reduction"));
        QVERIFY2(msg.find("average") != std::string::npos, msg.c_str());
        const auto direct =
            test::thrown<ConfigError>([] { DiceMetric(DiceMetricOptions().reduction("median")); });
        QCOMPARE(direct.second, std::string("metric.reduction"));
        QVERIFY2(direct.first.find("unknown reduction \"median\"") != std::string::npos,
                 direct.first.c_str());
        const auto typo = test::thrown<ConfigError>([] {
            test::makeMetric({{"name", "DiceMetric"}, {"ignore_emtpy", true}});
        });
        QCOMPARE(typo.second, std::string("metric.ignore_emtpy"));
    }

    void registryDefaultsAndRoundTrip() {
        for (const char* name : {"DiceMetric", "MeanIoU", "ConfusionMatrixMetric", "ROCAUCMetric"})
            QVERIFY2(metricRegistry().contains(name), name);
        const Json dice = defaultsOf(metricRegistry().info("DiceMetric").params);
        QCOMPARE(dice["include_background"], Json(true));
        QCOMPARE(dice["reduction"], Json("mean"));
        QCOMPARE(dice["ignore_empty"], Json(true));
        const Json cm = defaultsOf(metricRegistry().info("ConfusionMatrixMetric").params);
        QCOMPARE(cm["metric_name"], Json("hit_rate"));
        QCOMPARE(cm["compute_sample"], Json(false));
        const Json cfg = {{"name", "DiceMetric"},      {"include_background", false},
                          {"reduction", "sum_batch"},  {"get_not_nans", true},
                          {"ignore_empty", false},     {"num_classes", 3},
                          {"return_with_label", {"a"}}};
        QCOMPARE(test::makeMetric(cfg)->toJson(), cfg);
        const Json roc = {{"name", "ROCAUCMetric"}, {"average", "weighted"}};
        QCOMPARE(test::makeMetric(roc)->toJson(), roc);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "test_metrics.moc"
