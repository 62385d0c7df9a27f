/// EnsembleEvaluator on hand-built cases: "networks" that return fixed
/// logits over 1x6 images, so every probability, vote and Dice value has a
/// closed form counted by hand in the comments.

#include "TestSupport.h"

#include <cmath>
#include <filesystem>
#include <functional>

#include "engine/core/Error.h"
#include "engine/data/Dataset.h"
#include "engine/training/EnsembleEvaluator.h"
#include "engine/training/handlers/MetricsSaver.h"

using namespace medulla;
namespace fs = std::filesystem;

namespace {

/// Returns the same logits (1, C, 1, 6) for every input row; counts calls.
class FixedNet : public Network {
public:
    explicit FixedNet(at::Tensor logits) : logits_(std::move(logits)) {}
    at::Tensor forward(at::Tensor x) override {
        ++calls;
        return logits_.expand({x.size(0), logits_.size(1), x.size(2), x.size(3)}).clone();
    }
    int64_t outChannels() const override { return logits_.size(1); }
    int64_t sizeDivisor() const override { return 1; }
    Json toJson() const override { return {{"name", "FixedNet"}}; }
    int calls = 0;

private:
    at::Tensor logits_;
};

/// Binary net: background logit 0, foreground logit a[i] at voxel i, so
/// softmax(...)[1] = sigmoid(a[i]).
std::shared_ptr<FixedNet> binaryNet(const std::vector<float>& a) {
    at::Tensor fg = torch::tensor(a).view({1, 1, 1, 6});
    return std::make_shared<FixedNet>(torch::cat({torch::zeros_like(fg), fg}, 1));
}

/// A net of `classes` whose argmax at voxel i is labels[i] (logit 5 there).
std::shared_ptr<FixedNet> labelNet(const std::vector<int64_t>& labels, int64_t classes = 3) {
    at::Tensor l = torch::tensor(labels).view({1, 1, 1, 6});
    return std::make_shared<FixedNet>(torch::zeros({1, classes, 1, 6}).scatter_(1, l, 5.0));
}

/// n cases "case<i>.nii.gz" of 1x6 images with the label map `label`.
std::vector<Sample> cases(const std::vector<int64_t>& label, int n = 1) {
    std::vector<Sample> out(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        out[size_t(i)].paths["image"] = "/data/case" + std::to_string(i) + ".nii.gz";
        out[size_t(i)].volumes["image"] = Volume(torch::rand({1, 1, 6}));
        out[size_t(i)].volumes["label"] =
            Volume(torch::tensor(label).view({1, 1, 6}).to(torch::kFloat));
    }
    return out;
}

double sigmoid(double x) {
    return 1.0 / (1.0 + std::exp(-x));
}

bool near(double a, double b) {
    return std::fabs(a - b) < 1e-6;
}

/// Throws ConfigError naming `field`?
bool configError(const std::function<void()>& f, const std::string& field) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.field() == field;
    }
    return false;
}

// Two binary models over one case (ground truth g = [1,1,0,0,1,0]):
//   a = [2, -1, 0.5, -3, 1, -2]  -> labels [1,0,1,0,1,0]: Dice 2*2/(3+3) = 2/3
//   b = [-1, 2, -2, -0.5, 3, -4] -> labels [0,1,0,0,1,0]: Dice 2*2/(2+3) = 4/5
//   mean of sigmoids [.575,.575,.371,.212,.842,.069] -> [1,1,0,0,1,0]: Dice 1
const std::vector<float> kA = {2, -1, 0.5f, -3, 1, -2};
const std::vector<float> kB = {-1, 2, -2, -0.5f, 3, -4};
const std::vector<int64_t> kTruth = {1, 1, 0, 0, 1, 0};

} // namespace

class TestEnsembleEvaluator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void meanOfProbabilities() {
        Dataset data(cases(kTruth), Compose());
        DataLoader loader(data, DataLoaderOptions().batch_size(1));
        EnsembleEvaluator ev(torch::kCPU, loader, {binaryNet(kA), binaryNet(kB)},
                             EnsembleEvaluatorOptions().score_members(true));
        QTemporaryDir dir;
        auto saver = std::make_shared<MetricsSaver>(
            MetricsSaverOptions().save_dir(dir.path().toStdString()));
        ev.addHandler(saver);
        at::Tensor pred;
        ev.on(Event::IterationCompleted,
              [&](Workflow&) { pred = ev.lastOutput().prediction.clone(); });
        CancelToken never;
        QCOMPARE(ev.run(1, never), JobState::Completed);
        QCOMPARE(pred.sizes().vec(), (std::vector<int64_t>{1, 2, 1, 6}));
        for (int64_t i = 0; i < 6; ++i) {
            const double p1 = (sigmoid(kA[size_t(i)]) + sigmoid(kB[size_t(i)])) / 2;
            QVERIFY(near(pred[0][1][0][i].item<double>(), p1));
            QVERIFY(near(pred[0][0][0][i].item<double>(), 1 - p1));
        }
        const auto& m = ev.state().metrics;
        QVERIFY(near(m.at("model_0"), 2.0 / 3));
        QVERIFY(near(m.at("model_1"), 4.0 / 5));
        QVERIFY(near(m.at("val_mean_dice"), 1.0));
        // the evaluator's table: the key metric's columns, then the members'
        const MetricTable t = ev.table();
        QCOMPARE(t.columns, (std::vector<std::string>{"Dice[1]", "model_0", "model_1"}));
        QCOMPARE(t.caseIds, std::vector<std::string>{"case0.nii.gz"});
        QVERIFY(near(t.rows[0][0], 1.0) && near(t.rows[0][1], 2.0 / 3) && near(t.rows[0][2], 0.8));
        const MetricTable s = ev.summaryTable();
        QCOMPARE(s.columns, (std::vector<std::string>{"model_0", "model_1", "ensemble"}));
        QVERIFY(near(s.rows[0][0], 2.0 / 3) && near(s.rows[0][1], 0.8) && near(s.rows[0][2], 1.0));
        // MetricsSaver attached as to any evaluator: the members are columns
        std::ifstream f(saver->metricsPath());
        std::string header;
        std::getline(f, header);
        QCOMPARE(header, std::string("epoch,val_mean_dice,model_0,model_1"));
    }

    void weights() {
        Dataset data(cases(kTruth), Compose());
        DataLoader loader(data, DataLoaderOptions().batch_size(1));
        auto a = binaryNet(kA), b = binaryNet(kB);
        // [1, 0]: model 0's probabilities and Dice exactly
        EnsembleEvaluator first(torch::kCPU, loader, {a, b},
                                EnsembleEvaluatorOptions().weights({1, 0}));
        at::Tensor pred;
        first.on(Event::IterationCompleted,
                 [&](Workflow&) { pred = first.lastOutput().prediction.clone(); });
        CancelToken never;
        QCOMPARE(first.run(1, never), JobState::Completed);
        for (int64_t i = 0; i < 6; ++i)
            QVERIFY(near(pred[0][1][0][i].item<double>(), sigmoid(kA[size_t(i)])));
        QVERIFY(near(first.state().metrics.at("val_mean_dice"), 2.0 / 3));
        QVERIFY(!first.state().metrics.count("model_0")); // members not scored
        // [3, 1]: (3 sigmoid(a) + sigmoid(b)) / 4
        EnsembleEvaluator weighted(torch::kCPU, loader, {a, b},
                                   EnsembleEvaluatorOptions().weights({3, 1}));
        const at::Tensor p = weighted.predict(torch::zeros({1, 1, 1, 6}));
        for (int64_t i = 0; i < 6; ++i)
            QVERIFY(near(p[0][1][0][i].item<double>(),
                         (3 * sigmoid(kA[size_t(i)]) + sigmoid(kB[size_t(i)])) / 4));
    }

    void voteWithTies() {
        // ground truth [0,1,2,2,2,1]; Dice without the background, per class:
        //   m0 [0,1,2,2,1,0]: class 1 2*1/(2+2) = .5,  class 2 2*2/(2+3) = .8
        //   m1 [1,1,2,1,2,2]: class 1 2*1/(3+2) = .4,  class 2 2*2/(3+3) = 2/3
        //   m2 [2,0,1,1,2,1]: class 1 2*1/(3+2) = .4,  class 2 2*1/(2+3) = .4
        //   votes: {0,1,2} tie -> 0, {1,1,0} -> 1, {2,2,1} -> 2, {2,1,1} -> 1,
        //          {1,2,2} -> 2, {0,2,1} tie -> 0:  [0,1,2,1,2,0]:
        //          class 1 2*1/(2+2) = .5, class 2 2*2/(2+3) = .8
        const std::vector<int64_t> truth = {0, 1, 2, 2, 2, 1};
        Dataset data(cases(truth), Compose());
        DataLoader loader(data, DataLoaderOptions().batch_size(1));
        EnsembleEvaluator ev(torch::kCPU, loader,
                             {labelNet({0, 1, 2, 2, 1, 0}), labelNet({1, 1, 2, 1, 2, 2}),
                              labelNet({2, 0, 1, 1, 2, 1})},
                             EnsembleEvaluatorOptions().mode("vote").score_members(true));
        at::Tensor pred;
        ev.on(Event::IterationCompleted,
              [&](Workflow&) { pred = ev.lastOutput().prediction.clone(); });
        CancelToken never;
        QCOMPARE(ev.run(1, never), JobState::Completed);
        // one-hot float of the voted labels
        QCOMPARE(pred.scalar_type(), torch::kFloat);
        QVERIFY(torch::equal(pred.sum(1), torch::ones({1, 1, 6})));
        QVERIFY(torch::equal(pred.argmax(1).flatten(),
                             torch::tensor({0, 1, 2, 1, 2, 0}).to(torch::kLong)));
        const auto& m = ev.state().metrics;
        QVERIFY(near(m.at("model_0"), (0.5 + 0.8) / 2));
        QVERIFY(near(m.at("model_1"), (0.4 + 2.0 / 3) / 2));
        QVERIFY(near(m.at("model_2"), 0.4));
        QVERIFY(near(m.at("val_mean_dice"), (0.5 + 0.8) / 2));
        const MetricTable s = ev.summaryTable();
        QVERIFY(near(s.rows[0][1], (0.4 + 2.0 / 3) / 2) && near(s.rows[0][3], 0.65));

        // two voters: {0,1} -> 0, {1,1} -> 1, {2,2} -> 2, {2,1} -> 1,
        // {1,2} -> 1, {0,2} -> 0 (every tie to the smaller label)
        EnsembleEvaluator two(torch::kCPU, loader,
                              {labelNet({0, 1, 2, 2, 1, 0}), labelNet({1, 1, 2, 1, 2, 2})},
                              EnsembleEvaluatorOptions().mode("vote"));
        const at::Tensor p = two.predict(torch::zeros({2, 1, 1, 6})); // a batch of 2
        QCOMPARE(p.sizes().vec(), (std::vector<int64_t>{2, 3, 1, 6}));
        const at::Tensor want = torch::tensor({0, 1, 2, 1, 1, 0}).to(torch::kLong);
        QVERIFY(torch::equal(p.argmax(1)[0].flatten(), want));
        QVERIFY(torch::equal(p.argmax(1)[1].flatten(), want));
    }

    void invalidEnsembles() {
        Dataset data(cases(kTruth), Compose());
        DataLoader loader(data, DataLoaderOptions().batch_size(1));
        auto a = binaryNet(kA), b = binaryNet(kB);
        auto make = [&](std::vector<NetworkPtr> nets, EnsembleEvaluatorOptions o) {
            return [&loader, nets, o] { EnsembleEvaluator(torch::kCPU, loader, nets, o); };
        };
        QVERIFY(configError(make({a, labelNet({0, 1, 2, 0, 1, 2})}, {}), "models[1]"));
        QVERIFY(configError(make({a, b}, EnsembleEvaluatorOptions().weights({1})), "weights"));
        QVERIFY(configError(make({a, b}, EnsembleEvaluatorOptions().weights({1, -1})), "weights"));
        QVERIFY(configError(make({a, b}, EnsembleEvaluatorOptions().weights({0, 0})), "weights"));
        QVERIFY(configError(make({a, b}, EnsembleEvaluatorOptions().mode("vote").weights({1, 2})),
                            "weights"));
        QVERIFY(configError(make({a, b}, EnsembleEvaluatorOptions().mode("median")), "mode"));
        QVERIFY(configError(make({}, {}), "models"));
        try {
            make({a, labelNet({0, 1, 2, 0, 1, 2})}, {})();
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QVERIFY(std::string(e.what()).find("model 1 has 3 output channels, model 0 has 2") !=
                    std::string::npos);
        }
    }

    void cancelBetweenCases() {
        Dataset data(cases(kTruth, 3), Compose());
        DataLoader loader(data, DataLoaderOptions().batch_size(1));
        auto a = binaryNet(kA), b = binaryNet(kB);
        EnsembleEvaluator ev(torch::kCPU, loader, {a, b},
                             EnsembleEvaluatorOptions().score_members(true));
        CancelToken cancel;
        ev.on(Event::IterationCompleted, [&](Workflow&) { cancel.cancel(); });
        QCOMPARE(ev.run(1, cancel), JobState::Cancelled);
        QCOMPARE(a->calls, 1);
        QCOMPARE(b->calls, 1);
        const MetricTable s = ev.summaryTable();
        QCOMPARE(s.caseIds, std::vector<std::string>{"case0.nii.gz"});
        QVERIFY(near(s.rows[0][0], 2.0 / 3) && near(s.rows[0][2], 1.0));
    }
};

QTEST_GUILESS_MAIN(TestEnsembleEvaluator)
#include "test_ensemble_evaluator.moc"
