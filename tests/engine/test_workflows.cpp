/// The workflow engine and its handlers on a toy 2D problem (8x8 images, a
/// 1x1 convolution): the exact event order of a run, early stopping, lr
/// schedules, cancellation (also inside a validation, and its redo on
/// resume), exceptions, the non-finite loss policies, MetricsSaver's files
/// and the evaluator's per-case table.

#include "TestSupport.h"

#include <filesystem>
#include <sstream>

#include "engine/data/Dataset.h"
#include "engine/inference/InfererFactory.h"
#include "engine/losses/Loss.h"
#include "engine/networks/Network.h"
#include "engine/optim/LrScheduler.h"
#include "engine/training/CheckpointParts.h"
#include "engine/training/SupervisedEvaluator.h"
#include "engine/training/SupervisedTrainer.h"
#include "engine/training/TrainingCheckpoint.h"
#include "engine/training/handlers/CheckpointLoader.h"
#include "engine/training/handlers/CheckpointSaver.h"
#include "engine/training/handlers/EarlyStopHandler.h"
#include "engine/training/handlers/LrScheduleHandler.h"
#include "engine/training/handlers/MetricsSaver.h"
#include "engine/training/handlers/ValidationHandler.h"

using namespace medulla;
namespace fs = std::filesystem;

namespace {

/// out = (a x + b) per channel; training-mode call `nanAt` returns NaN and
/// call `throwAt` throws (1-based, 0 = never).
class ToyNet : public Network {
public:
    ToyNet() {
        conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 2, 1)));
    }
    at::Tensor forward(at::Tensor x) override {
        if (is_training() && ++calls == throwAt)
            throw std::runtime_error("forward failed");
        at::Tensor y = conv->forward(x);
        return is_training() && calls == nanAt ? y * std::nan("") : y;
    }
    int64_t outChannels() const override { return 2; }
    int64_t sizeDivisor() const override { return 1; }
    Json toJson() const override { return {{"name", "ToyNet"}}; }
    torch::nn::Conv2d conv{nullptr};
    int calls = 0, nanAt = 0, throwAt = 0;
};

/// n cases "case<i>.nii.gz": uniform images, label = image > 0.4.
std::vector<Sample> cases(int n, uint64_t seed) {
    torch::manual_seed(seed);
    std::vector<Sample> out(n);
    for (int i = 0; i < n; ++i) {
        at::Tensor img = torch::rand({1, 8, 8});
        out[i].paths["image"] = "/data/case" + std::to_string(i) + ".nii.gz";
        out[i].volumes["image"] = Volume(img);
        out[i].volumes["label"] = Volume(img.gt(0.4).to(torch::kFloat));
    }
    return out;
}

/// Four training cases (2 batches of 2), two validation cases.
struct Toy {
    explicit Toy(int64_t epochs, double lr = 0.1, std::string nanPolicy = "stop")
        : trainSet(cases(4, 1), Compose()), valSet(cases(2, 2), Compose()),
          loader(trainSet, DataLoaderOptions().batch_size(2)),
          valLoader(valSet, DataLoaderOptions().batch_size(1)) {
        torch::manual_seed(0);
        net = std::make_shared<ToyNet>();
        optimizer =
            std::make_shared<torch::optim::SGD>(net->parameters(), torch::optim::SGDOptions(lr));
        trainer = std::make_unique<SupervisedTrainer>(
            torch::kCPU, loader, net, optimizer,
            lossRegistry().create({{"name", "DiceLoss"}, {"to_onehot_y", true}, {"softmax", true}},
                                  "loss"),
            SupervisedTrainerOptions().max_epochs(epochs).nan_policy(nanPolicy));
        evaluator = std::make_shared<SupervisedEvaluator>(torch::kCPU, valLoader, net);
    }
    void validateEvery(int64_t interval, bool atEnd = false) {
        trainer->addHandler(std::make_shared<ValidationHandler>(
            evaluator, nullptr, ValidationHandlerOptions().interval(interval).exec_at_end(atEnd)));
    }
    at::Tensor params() const {
        return torch::cat({net->conv->weight.flatten(), net->conv->bias}).clone();
    }

    Dataset trainSet, valSet;
    DataLoader loader, valLoader;
    std::shared_ptr<ToyNet> net;
    std::shared_ptr<torch::optim::SGD> optimizer;
    std::unique_ptr<SupervisedTrainer> trainer;
    std::shared_ptr<SupervisedEvaluator> evaluator;
};

const std::vector<std::string> kCustom = {
    SupervisedTrainer::kForwardCompleted,  SupervisedTrainer::kLossCompleted,
    SupervisedTrainer::kBackwardCompleted, SupervisedTrainer::kModelCompleted,
    SupervisedTrainer::kNanLossSkipped,    ValidationHandler::kValidationCompleted};

/// Records every standard event and the custom ones above, prefixed.
void record(Workflow& w, std::vector<std::string>& log, const std::string& prefix = "") {
    for (Event e :
         {Event::Started, Event::EpochStarted, Event::IterationStarted, Event::IterationCompleted,
          Event::EpochCompleted, Event::Completed, Event::Cancelled, Event::ExceptionRaised})
        w.on(e, [&log, prefix, e](Workflow&) { log.push_back(prefix + eventName(e)); });
    for (const auto& name : kCustom)
        w.on(name, [&log, prefix, name](Workflow&) { log.push_back(prefix + name); });
}

/// Scores in `script`, one per epoch, published as VALIDATION_COMPLETED.
class ScriptedWorkflow : public Workflow {
public:
    explicit ScriptedWorkflow(std::vector<double> s) : script(std::move(s)) {
        state().maxEpochs = int64_t(script.size());
        state().keyMetricName = "score";
    }
    std::string name() const override { return "scripted"; }
    std::vector<double> script;

protected:
    int64_t epochLength() override { return 1; }
    void startEpoch(int64_t, int64_t) override {}
    void iterate(const CancelToken&) override {
        state().metrics["score"] = script[size_t(state().epoch - 1)];
        fire(ValidationHandler::kValidationCompleted);
    }
};

std::string text(const std::string& path) {
    std::ifstream f(path);
    return {std::istreambuf_iterator<char>(f), {}};
}

std::vector<std::vector<std::string>> readCsv(const std::string& path) {
    std::ifstream f(path);
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(f, line);) {
        rows.emplace_back();
        std::stringstream ss(line);
        for (std::string cell; std::getline(ss, cell, ',');)
            rows.back().push_back(cell);
    }
    return rows;
}

} // namespace

class TestWorkflows : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void eventOrderOfATwoEpochRun() {
        Toy toy(2);
        std::vector<std::string> log;
        record(*toy.trainer, log);
        record(*toy.evaluator, log, "evaluator:");
        toy.validateEvery(1);
        CancelToken never;
        QCOMPARE(toy.trainer->run(never), JobState::Completed);
        std::vector<std::string> want = {"STARTED"};
        for (int epoch = 1; epoch <= 2; ++epoch) {
            want.push_back("EPOCH_STARTED");
            for (int i = 0; i < 2; ++i)
                for (const char* e :
                     {"ITERATION_STARTED", "FORWARD_COMPLETED", "LOSS_COMPLETED",
                      "BACKWARD_COMPLETED", "MODEL_COMPLETED", "ITERATION_COMPLETED"})
                    want.push_back(e);
            want.push_back("EPOCH_COMPLETED"); // the recorder was attached before the validation
            for (const char* e :
                 {"STARTED", "EPOCH_STARTED", "ITERATION_STARTED", "ITERATION_COMPLETED",
                  "ITERATION_STARTED", "ITERATION_COMPLETED", "EPOCH_COMPLETED", "COMPLETED"})
                want.push_back(std::string("evaluator:") + e);
            want.push_back("VALIDATION_COMPLETED");
        }
        want.push_back("COMPLETED");
        QCOMPARE(log, want);
        const WorkflowState& s = toy.trainer->state();
        QCOMPARE(s.epoch, int64_t(2));
        QCOMPARE(s.iteration, int64_t(4));
        QCOMPARE(toy.evaluator->state().epoch, int64_t(2)); // labelled with the trainer's epoch
        QCOMPARE(s.metrics.at("val_mean_dice"), toy.evaluator->state().metrics.at("val_mean_dice"));
        QCOMPARE(s.bestMetricEpoch, toy.evaluator->state().bestMetricEpoch);
    }

    void earlyStopFollowsIgnitesRule() {
        // min_delta 0.01, patience 2: 0.6 and 0.65 improve, the second 0.6
        // does not, nor 0.655 <= 0.65 + 0.01 (which still becomes the best, as
        // in ignite), nor 0.64 <= 0.655 + 0.01 -> stop at the 6th check.
        ScriptedWorkflow w({0.5, 0.6, 0.6, 0.65, 0.655, 0.64, 0.9, 0.9});
        auto stop = std::make_shared<EarlyStopHandler>(
            EarlyStopHandlerOptions().patience(2).min_delta(0.01));
        w.addHandler(stop);
        int completed = 0;
        w.on(Event::Completed, [&](Workflow&) { ++completed; });
        CancelToken never;
        QCOMPARE(w.run(never), JobState::Completed);
        QCOMPARE(w.state().epoch, int64_t(6));
        QCOMPARE(completed, 1);
        QCOMPARE(stop->counter(), int64_t(2));
        QCOMPARE(stop->bestScore(), 0.655); // ignite keeps a higher non-improving score
    }

    void earlyStopTerminatesTheTrainer() {
        Toy toy(10, /*lr=*/0.0); // nothing changes: every validation after the first is "bad"
        toy.validateEvery(1);
        toy.trainer->addHandler(
            std::make_shared<EarlyStopHandler>(EarlyStopHandlerOptions().patience(2)));
        CancelToken never;
        QCOMPARE(toy.trainer->run(never), JobState::Completed);
        QCOMPARE(toy.trainer->state().epoch, int64_t(3));
        QCOMPARE(toy.trainer->state().iteration, int64_t(6));
        // the loss monitor: the same, per epoch
        Toy byLoss(10, 0.0);
        byLoss.trainer->addHandler(std::make_shared<EarlyStopHandler>(
            EarlyStopHandlerOptions().patience(3).monitor("loss")));
        QCOMPARE(byLoss.trainer->run(never), JobState::Completed);
        QCOMPARE(byLoss.trainer->state().epoch, int64_t(4));
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 EarlyStopHandler(EarlyStopHandlerOptions().patience(0)));
    }

    void lrScheduleHandlerStepsAsTheScheduleSays() {
        for (bool epochLevel : {true, false}) {
            Toy toy(3, 0.1);
            auto scheduler = std::shared_ptr<LrScheduler>(makeScheduler(
                {{"name", "StepLR"}, {"step_size", 1}, {"gamma", 0.5}, {"epoch_level", epochLevel}},
                *toy.optimizer));
            toy.trainer->addHandler(std::make_shared<LrScheduleHandler>(scheduler));
            std::vector<double> used; // the lr of each iteration's step
            toy.trainer->on(Event::IterationStarted,
                            [&](Workflow&) { used.push_back(toy.trainer->learningRate()); });
            CancelToken never;
            QCOMPARE(toy.trainer->run(never), JobState::Completed);
            QCOMPARE(used.size(), size_t(6));
            for (size_t i = 0; i < used.size(); ++i) {
                const int steps = epochLevel ? int(i / 2) : int(i);
                QVERIFY2(std::fabs(used[i] - 0.1 * std::pow(0.5, steps)) < 1e-15,
                         qPrintable(QString("iteration %1: lr %2").arg(i).arg(used[i])));
            }
            QCOMPARE(scheduler->lastEpoch(), int64_t(epochLevel ? 3 : 6));
        }
    }

    void cancelMidEpochFiresCancelled() {
        Toy toy(5);
        std::vector<std::string> log;
        record(*toy.trainer, log);
        CancelToken cancel;
        toy.trainer->on(Event::IterationCompleted, [&](Workflow& w) {
            if (w.state().iteration == 3)
                cancel.cancel(); // epoch 2, after its first iteration
        });
        QCOMPARE(toy.trainer->run(cancel), JobState::Cancelled);
        QCOMPARE(toy.trainer->state().iteration, int64_t(3));
        QCOMPARE(toy.trainer->state().epoch, int64_t(2));
        QCOMPARE(log.back(), std::string("CANCELLED"));
        QCOMPARE(std::count(log.begin(), log.end(), "CANCELLED"), 1L);
        QCOMPARE(std::count(log.begin(), log.end(), "COMPLETED"), 0L);
        QCOMPARE(std::count(log.begin(), log.end(), "EPOCH_COMPLETED"), 1L);
    }

    void cancelInsideValidationIsRedoneOnResume() {
        // The evaluator sees the cancel after the first of its 2 cases in
        // epoch 2's validation. checkpoint.pt keeps the epoch's training; a
        // trainer resumed from it (with other initial weights) validates
        // epoch 2 first and ends with bitwise the parameters and the
        // validation results of an uninterrupted run.
        using Results = std::vector<std::pair<int64_t, double>>;
        auto recordValidations = [](Toy& toy, Results& out) {
            toy.trainer->on(ValidationHandler::kValidationCompleted, [&out](Workflow& w) {
                out.emplace_back(w.state().epoch, w.state().metrics.at("val_mean_dice"));
            });
        };
        auto checkpointOf = [](Toy& toy) {
            auto c = std::make_shared<TrainingCheckpoint>();
            addModel(*c, *toy.net);
            addOptimizer(*c, *toy.optimizer);
            addWorkflowProgress(*c, *toy.trainer);
            return c;
        };
        CancelToken never;
        Toy full(3);
        full.validateEvery(1);
        Results want;
        recordValidations(full, want);
        QCOMPARE(full.trainer->run(never), JobState::Completed);
        QCOMPARE(want.size(), size_t(3));

        QTemporaryDir dir;
        const std::string out = dir.path().toStdString();
        Toy cut(3);
        CancelToken cancel;
        cut.trainer->addHandler(std::make_shared<ValidationHandler>(cut.evaluator, &cancel));
        int evaluated = 0;
        cut.evaluator->on(Event::IterationCompleted, [&](Workflow& w) {
            ++evaluated;
            if (w.state().epoch == 2 && w.state().epochIteration == 1)
                cancel.cancel();
        });
        Results before;
        recordValidations(cut, before);
        cut.trainer->addHandler(
            std::make_shared<CheckpointSaver>(checkpointOf(cut), CheckpointSaverOptions(out)));
        QCOMPARE(cut.trainer->run(cancel), JobState::Cancelled);
        QCOMPARE(evaluated, 3); // epoch 1's two cases, epoch 2's first
        QCOMPARE(before, Results(want.begin(), want.begin() + 1));
        const CheckpointHeader h = TrainingCheckpoint::readHeader(out + "/checkpoint.pt");
        QCOMPARE(h.progress.at("iteration").get<int64_t>(), int64_t(4));
        QCOMPARE(h.progress.at("epoch_iteration").get<int64_t>(), int64_t(2));

        Toy resumed(3);
        {
            torch::NoGradGuard ng;
            resumed.net->conv->weight.add_(1.0);
        }
        auto c = checkpointOf(resumed);
        resumed.trainer->addHandler(
            std::make_shared<CheckpointLoader>(c, CheckpointLoaderOptions(out + "/checkpoint.pt")));
        resumed.validateEvery(1);
        resumed.trainer->addHandler(
            std::make_shared<CheckpointSaver>(c, CheckpointSaverOptions(out)));
        Results after;
        recordValidations(resumed, after);
        int64_t iterations = 0;
        resumed.trainer->on(Event::IterationCompleted, [&](Workflow&) { ++iterations; });
        QCOMPARE(resumed.trainer->run(never), JobState::Completed);
        QCOMPARE(iterations, int64_t(2));                       // epoch 3 only
        QCOMPARE(after, Results(want.begin() + 1, want.end())); // bitwise
        QVERIFY(torch::equal(resumed.params(), full.params()));
        QCOMPARE(resumed.trainer->state().bestMetricEpoch, full.trainer->state().bestMetricEpoch);
    }

    void exceptionFiresExceptionRaisedThenRethrows() {
        Toy toy(2);
        toy.net->throwAt = 3;
        std::vector<std::string> log;
        record(*toy.trainer, log);
        std::string seen;
        toy.trainer->on(Event::ExceptionRaised, [&](Workflow& w) {
            try {
                std::rethrow_exception(w.state().error);
            } catch (const std::runtime_error& e) {
                seen = e.what();
            }
        });
        CancelToken never;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, toy.trainer->run(never));
        QCOMPARE(seen, std::string("forward failed"));
        QCOMPARE(log.back(), std::string("EXCEPTION_RAISED"));
        QCOMPARE(std::count(log.begin(), log.end(), "COMPLETED"), 0L);
        QCOMPARE(toy.trainer->state().iteration, int64_t(2));
    }

    void nanLossStopNamesEpochIterationAndCases() {
        Toy toy(3);
        toy.net->nanAt = 3; // epoch 2, iteration 1
        const auto order = toy.loader.epochOrder(1);
        bool raised = false;
        toy.trainer->on(Event::ExceptionRaised, [&](Workflow&) { raised = true; });
        CancelToken never;
        try {
            toy.trainer->run(never);
            QFAIL("no error");
        } catch (const Error& e) {
            const QString m = e.what();
            QVERIFY2(m.contains("epoch 2, iteration 1 of 2"), e.what());
            for (size_t i : {order[0], order[1]})
                QVERIFY2(m.contains(QString("case%1.nii.gz").arg(i)), e.what());
            QVERIFY2(m.contains("became NaN"), e.what());
        }
        QVERIFY(raised);
    }

    void nanLossSkipLeavesTheParametersAndContinues() {
        Toy toy(2, 0.1, "skip");
        toy.net->nanAt = 2;
        std::vector<at::Tensor> before, after;
        toy.trainer->on(Event::IterationStarted,
                        [&](Workflow&) { before.push_back(toy.params()); });
        toy.trainer->on(Event::IterationCompleted,
                        [&](Workflow&) { after.push_back(toy.params()); });
        std::vector<std::string> log;
        record(*toy.trainer, log);
        CancelToken never;
        QCOMPARE(toy.trainer->run(never), JobState::Completed);
        QCOMPARE(after.size(), size_t(4));
        QVERIFY(torch::equal(before[1], after[1]));  // the skipped step
        QVERIFY(!torch::equal(before[0], after[0])); // a normal one moves them
        QVERIFY(!torch::equal(before[2], after[2]));
        QCOMPARE(toy.trainer->skippedIterations(), int64_t(1));
        QCOMPARE(std::count(log.begin(), log.end(), "NAN_LOSS_SKIPPED"), 1L);
        QCOMPARE(std::count(log.begin(), log.end(), "BACKWARD_COMPLETED"), 3L);
        QVERIFY(std::isfinite(toy.trainer->state().output.at("loss")));
    }

    void metricsSaverWritesTheCsvs() {
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString();
        Toy toy(3);
        toy.evaluator->addMetric(
            "val_mean_iou", metricRegistry().create(
                                {{"name", "MeanIoU"}, {"include_background", false}}, "metric"));
        auto saver = std::make_shared<MetricsSaver>(MetricsSaverOptions().save_dir(out));
        toy.evaluator->addHandler(saver);
        toy.validateEvery(2, /*atEnd=*/true); // epochs 2 and 3
        std::map<int64_t, std::map<std::string, double>> seen;
        std::map<int64_t, std::string> tables;
        toy.trainer->on(ValidationHandler::kValidationCompleted, [&](Workflow& w) {
            seen[w.state().epoch] = toy.evaluator->state().metrics;
            tables[w.state().epoch] = toy.evaluator->table().toCsv();
        });
        CancelToken never;
        QCOMPARE(toy.trainer->run(never), JobState::Completed);
        const auto rows = readCsv(out + "/metrics.csv");
        QCOMPARE(rows.size(), size_t(3));
        QCOMPARE(rows[0], (std::vector<std::string>{"epoch", "val_mean_dice", "val_mean_iou"}));
        for (size_t r = 1; r < 3; ++r) {
            const int64_t epoch = std::stoll(rows[r][0]);
            QCOMPARE(epoch, int64_t(r + 1));
            QCOMPARE(std::stod(rows[r][1]), seen[epoch].at("val_mean_dice"));
            QCOMPARE(std::stod(rows[r][2]), seen[epoch].at("val_mean_iou"));
        }
        QVERIFY(!fs::exists(out + "/val_cases_epoch1.csv"));
        for (int64_t epoch : {2, 3}) {
            const auto cases = readCsv(saver->casesPath(epoch));
            QCOMPARE(cases.size(), size_t(3)); // header + 2 validation cases
            QCOMPARE(cases[0], (std::vector<std::string>{"case", "Dice[1]", "IoU[1]"}));
            QCOMPARE(cases[1][0], std::string("case0.nii.gz"));
            QCOMPARE(text(saver->casesPath(epoch)), tables[epoch]);
        }
        QCOMPARE(text(saver->bestCasesPath()), tables[toy.trainer->state().bestMetricEpoch]);
    }

    void evaluatorTableEqualsDiceByHand() {
        Toy toy(1);
        { // class 1 where the image > 0.5; the labels are image > 0.4
            torch::NoGradGuard ng;
            toy.net->conv->weight.copy_(torch::tensor({-10.0f, 10.0f}).view({2, 1, 1, 1}));
            toy.net->conv->bias.copy_(torch::tensor({5.0f, -5.0f}));
        }
        CancelToken never;
        QCOMPARE(toy.evaluator->run(7, never), JobState::Completed);
        const MetricTable t = toy.evaluator->table();
        QCOMPARE(t.columns, std::vector<std::string>{"Dice[1]"});
        QCOMPARE(t.caseIds, (std::vector<std::string>{"case0.nii.gz", "case1.nii.gz"}));
        double sum = 0;
        for (size_t i = 0; i < 2; ++i) {
            const at::Tensor img = toy.valSet.item(i).at("image").data().to(torch::kDouble);
            const at::Tensor p = img.gt(0.5), g = img.gt(0.4);
            const double inter = (p & g).sum().item<double>();
            const double dice = 2 * inter / (p.sum().item<double>() + g.sum().item<double>());
            QVERIFY(dice > 0.3 && dice < 1.0); // a real overlap, not a trivial one
            QVERIFY2(std::fabs(t.rows[i][0] - dice) < 1e-6,
                     qPrintable(QString("%1 vs %2").arg(t.rows[i][0]).arg(dice)));
            sum += dice;
        }
        QVERIFY(std::fabs(toy.evaluator->state().metrics.at("val_mean_dice") - sum / 2) < 1e-6);
        QCOMPARE(toy.evaluator->state().epoch, int64_t(7));
        QCOMPARE(toy.evaluator->state().bestMetricEpoch, int64_t(7));
        QVERIFY(toy.evaluator->improved());
        // the same predictions through a sliding window: the same table, no improvement
        toy.evaluator->setInferer(makeInferer(
            {{"name", "SlidingWindowInferer"}, {"roi_size", {4, 4}}, {"overlap", 0.5}}));
        QCOMPARE(toy.evaluator->run(8, never), JobState::Completed);
        QCOMPARE(toy.evaluator->table().rows, t.rows);
        QVERIFY(!toy.evaluator->improved());
        QCOMPARE(toy.evaluator->state().bestMetricEpoch, int64_t(7));
    }
};

QTEST_GUILESS_MAIN(TestWorkflows)
#include "test_workflows.moc"
