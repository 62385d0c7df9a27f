// Distributed training on CPU with Gloo over 127.0.0.1 (issue 10): two
// processes training K steps end with the parameters of one process
// training on the combined batches; gradient accumulation without sync on
// the intermediate steps; per-rank training shares; per-case metrics
// gathered back into datalist order; a killed or hung peer makes the other
// rank fail with a clear error within the timeout; rank 0's pause and stop
// reach the other rank at the same sync point.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "DistributedTestSupport.h"
#include "engine/distributed/DistributedContext.h"
#include "engine/distributed/DistributedDataParallel.h"
#include "engine/distributed/RunControl.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/DiceMetric.h"
#include "engine/networks/Network.h"
#include "engine/training/DistributedRun.h"

using namespace medulla;

namespace {

constexpr int kSteps = 3;
constexpr int kBatch = 4; // the combined batch; each of 2 ranks takes 2

NetworkPtr makeNet(int seed) {
    torch::manual_seed(seed);
    return networkRegistry().create(Json{{"name", "UNet"},
                                         {"spatial_dims", 3},
                                         {"in_channels", 1},
                                         {"out_channels", 2},
                                         {"channels", {4, 8, 8}},
                                         {"strides", {2, 2}},
                                         {"num_res_units", 1}},
                                    "network");
}

/// SGD with momentum: Adam's first steps are lr * sign(g), which turns the
/// rounding noise of gradients that are zero in exact arithmetic (conv
/// biases before an instance norm) into full steps of either sign.
torch::optim::SGDOptions sgdOptions() {
    return torch::optim::SGDOptions(0.05).momentum(0.9);
}

LossPtr makeLoss() {
    return lossRegistry().create(
        Json{{"name", "DiceCELoss"}, {"to_onehot_y", true}, {"softmax", true}}, "loss");
}

/// The steps' data: images (K, B, 1, 16, 16, 16) and their labels.
std::pair<at::Tensor, at::Tensor> stepData() {
    torch::manual_seed(5);
    at::Tensor x = torch::randn({kSteps, kBatch, 1, 16, 16, 16});
    at::Tensor y = (x > 0.3).to(torch::kFloat);
    return {x, y};
}

at::Tensor flatParameters(Network& net) {
    std::vector<at::Tensor> flat;
    for (const auto& p : net.parameters())
        flat.push_back(p.detach().reshape(-1));
    return torch::cat(flat);
}

void writeText(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

std::string readText(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().toStdString();
}

DistributedOptions workerOptions(double timeout) {
    return DistributedOptions().timeout_s(timeout);
}

/// Rank r trains on samples 2r, 2r+1 of every step; "accumulate": one
/// sample per backward, two backward passes per step (no sync on the
/// first). Every rank starts from its own random weights: DDP's broadcast
/// gives everyone rank 0's.
int ddpWorker(const std::string& dir, bool accumulate) {
    const DistributedEnv env = DistributedEnv::fromEnvironment();
    auto ctx = DistributedContext::join(env, workerOptions(60), torch::kCPU);
    NetworkPtr net = makeNet(100 + env.rank);
    torch::optim::SGD opt(net->parameters(), sgdOptions());
    LossPtr loss = makeLoss();
    // small buckets: several all-reduces in flight during backward
    DistributedDataParallel ddp(ctx, *net, GradientReducerOptions().bucket_cap_mb(0.005));
    const StepHooks hooks = ddp.wrap(StepHooks{});
    const auto [x, y] = stepData();
    for (int s = 0; s < kSteps; ++s) {
        opt.zero_grad();
        const int parts = accumulate ? 2 : 1;
        for (int m = 0; m < parts; ++m) {
            const int64_t first = 2 * env.rank + (accumulate ? m : 0);
            const int64_t count = accumulate ? 1 : 2;
            at::Tensor l;
            hooks.autocast([&] {
                l = (*loss)(net->forward(x[s].narrow(0, first, count)),
                            y[s].narrow(0, first, count))
                        .mean();
            });
            hooks.beforeBackward(m == parts - 1);
            hooks.backward(l / double(parts));
        }
        opt.step();
    }
    torch::save(flatParameters(*net), dir + "/params" + std::to_string(env.rank) + ".pt");
    writeText(dir + "/buckets" + std::to_string(env.rank) + ".txt",
              std::to_string(ddp.reducer().buckets().size()) + " " +
                  std::to_string(ddp.reducer().bucketsLaunchedDuringBackward()));
    return 0;
}

/// Rank 1 dies (SIGKILL) or hangs; rank 0's next collective must fail
/// within the 4 s timeout; it writes the message and the seconds it took.
int faultWorker(const std::string& dir, bool hang) {
    const DistributedEnv env = DistributedEnv::fromEnvironment();
    auto ctx = DistributedContext::join(env, workerOptions(4), torch::kCPU);
    ctx->barrier();
    if (env.rank == 1) {
        if (hang)
            std::this_thread::sleep_for(std::chrono::seconds(60));
        std::raise(SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto start = std::chrono::steady_clock::now();
    try {
        at::Tensor t = torch::ones({1000});
        ctx->allReduceSum(t);
    } catch (const DistributedError& e) {
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        writeText(dir + "/error.txt", std::to_string(s) + "\n" + e.what());
        return 3;
    }
    return 0;
}

/// Rank 0 pauses 2.5 s (longer than the 1 s timeout) at sync point 1 and
/// asks to stop at sync point 3; rank 1 must wait through the pause and
/// see the stop at point 3.
int controlWorker(const std::string& dir) {
    const DistributedEnv env = DistributedEnv::fromEnvironment();
    auto ctx = DistributedContext::join(env, workerOptions(1), torch::kCPU);
    RunControl control(ctx);
    std::string seen;
    for (int point = 0; point < 5; ++point) {
        if (env.rank == 0 && point == 1) {
            control.setPaused(true);
            std::this_thread::sleep_for(std::chrono::milliseconds(2500));
            control.setPaused(false);
        }
        const bool stop = control.synchronize(env.rank == 0 && point == 3);
        seen += stop ? "S" : "g";
    }
    ctx->barrier(); // rank 0 hosts the store: it leaves after the others read
    writeText(dir + "/control" + std::to_string(env.rank) + ".txt", seen);
    return 0;
}

/// 5 validation cases over 2 ranks: rank 0 scores cases 0, 2, 4, rank 1
/// cases 1, 3; after gatherMetrics both hold the 5 in datalist order.
int gatherWorker(const std::string& dir) {
    const DistributedEnv env = DistributedEnv::fromEnvironment();
    auto ctx = DistributedContext::join(env, workerOptions(60), torch::kCPU);
    auto dice = std::make_shared<DiceMetric>(DiceMetricOptions().include_background(false));
    for (int k = env.rank; k < 5; k += 2) {
        // case k: a prediction overlapping the label in k+1 of 6 voxels
        at::Tensor label = torch::zeros({1, 2, 6, 1, 1});
        label.index_put_({0, 1}, 1.0);
        at::Tensor pred = torch::zeros({1, 2, 6, 1, 1});
        pred.index_put_({0, 1, torch::indexing::Slice(0, k + 1)}, 1.0);
        pred.index_put_({0, 0, torch::indexing::Slice(k + 1, 6)}, 1.0);
        label.index_put_({0, 0}, 1.0 - label[0][1]);
        MetricCall call;
        call.caseIds = {"case" + std::to_string(k)};
        (*dice)(pred, label, call);
    }
    std::vector<std::pair<std::string, MetricPtr>> metrics{{"dice", dice}};
    gatherMetrics(*ctx, metrics);
    std::string out;
    const at::Tensor b = dice->buffer();
    for (size_t i = 0; i < dice->caseIds().size(); ++i)
        out += dice->caseIds()[i] + "=" + std::to_string(b[int64_t(i)][0].item<double>()) + " ";
    out += "mean=" + std::to_string(dice->aggregate().front().value.item<double>());
    writeText(dir + "/gather" + std::to_string(env.rank) + ".txt", out);
    return 0;
}

/// The reference: one process, rank 0's initial weights, the whole batch.
at::Tensor singleProcessParameters() {
    torch::set_num_threads(1);
    NetworkPtr net = makeNet(100);
    torch::optim::SGD opt(net->parameters(), sgdOptions());
    LossPtr loss = makeLoss();
    const auto [x, y] = stepData();
    for (int s = 0; s < kSteps; ++s) {
        opt.zero_grad();
        (*loss)(net->forward(x[s]), y[s]).mean().backward();
        opt.step();
    }
    return flatParameters(*net);
}

at::Tensor loadTensor(const QString& path) {
    at::Tensor t;
    torch::load(t, path.toStdString());
    return t;
}

} // namespace

class TestDistributed : public QObject {
    Q_OBJECT

    void checkEquivalence(const char* worker) {
        QTemporaryDir dir;
        const auto status = test::runRanks(worker, 2, dir.path());
        QCOMPARE(status, std::vector<int>({0, 0}));
        const at::Tensor reference = singleProcessParameters();
        const at::Tensor p0 = loadTensor(dir.filePath("params0.pt"));
        const at::Tensor p1 = loadTensor(dir.filePath("params1.pt"));
        QCOMPARE(p0.numel(), reference.numel());
        // the replicas are identical (same averaged gradients, same steps)
        QCOMPARE((p0 - p1).abs().max().item<double>(), 0.0);
        const double diff = (p0 - reference).abs().max().item<double>();
        qInfo("%s: max |parameter - single process| after %d SGD steps: %.3g", worker, kSteps,
              diff);
        QVERIFY2(diff < 1e-5, std::to_string(diff).c_str());
        // and training moved them: the comparison is not between start points
        const double moved = (flatParameters(*makeNet(100)) - reference).abs().max().item<double>();
        QVERIFY2(moved > 1e-3, std::to_string(moved).c_str());
        // several buckets, some of them all-reduced while backward went on
        std::istringstream in(readText(dir.filePath("buckets0.txt")));
        int buckets = 0, duringBackward = 0;
        in >> buckets >> duringBackward;
        QVERIFY2(buckets >= 3, std::to_string(buckets).c_str());
        QVERIFY2(duringBackward > 0, std::to_string(duringBackward).c_str());
    }

private Q_SLOTS:
    void twoProcessesEqualOneOnTheCombinedBatch() { checkEquivalence("ddp"); }

    void accumulationWithoutSyncEqualsOneBigBatch() { checkEquivalence("ddp_accumulate"); }

    void trainingSharesCoverEveryCaseWithEqualCounts() {
        std::vector<Sample> items(7);
        for (int k = 0; k < 7; ++k)
            items[size_t(k)].fields["id"] = std::to_string(k);
        std::multiset<std::string> seen;
        for (int r = 0; r < 3; ++r) {
            const auto share = trainingShare(items, 3, r, 4);
            QCOMPARE(share.size(), size_t(3)); // ceil(7 / 3), padded
            for (const auto& s : share)
                seen.insert(s.fields.at("id"));
        }
        QCOMPARE(std::set<std::string>(seen.begin(), seen.end()).size(), size_t(7));
        QCOMPARE(seen.size(), size_t(9));                         // two cases twice (padding)
        QCOMPARE(validationShare(items, 3, 1).size(), size_t(2)); // cases 1, 4
        QCOMPARE(validationShare(items, 3, 1)[1].fields.at("id"), std::string("4"));
        QVERIFY_EXCEPTION_THROWN(trainingShare(items, 8, 0, 4), ConfigError);
    }

    void metricsAreGatheredInDatalistOrder() {
        QTemporaryDir dir;
        QCOMPARE(test::runRanks("gather", 2, dir.path()), std::vector<int>({0, 0}));
        // Dice of case k: 2 (k+1) / ((k+1) + 6)
        std::string expected;
        double mean = 0;
        for (int k = 0; k < 5; ++k) {
            const double d = 2.0 * (k + 1) / ((k + 1) + 6.0);
            mean += d / 5;
            expected += "case" + std::to_string(k) + "=" + std::to_string(d) + " ";
        }
        expected += "mean=" + std::to_string(mean);
        QCOMPARE(readText(dir.filePath("gather0.txt")), expected);
        QCOMPARE(readText(dir.filePath("gather1.txt")), expected);
    }

    void killedPeerFailsTheOtherRankWithinTheTimeout() {
        QTemporaryDir dir;
        const auto status = test::runRanks("killed", 2, dir.path(), 60);
        QCOMPARE(status, std::vector<int>({3, 128 + SIGKILL}));
        const std::string err = readText(dir.filePath("error.txt"));
        const double seconds = std::stod(err);
        qInfo("killed peer: rank 0 stopped after %.2f s: %s", seconds,
              err.substr(err.find('\n') + 1).c_str());
        QVERIFY2(seconds < 4.0 + 2.0, err.c_str());
        QVERIFY2(err.find("rank 0 of 2: all-reduce failed") != std::string::npos, err.c_str());
    }

    void hungPeerFailsTheOtherRankAfterTheTimeout() {
        QTemporaryDir dir;
        const auto status = test::runRanks("hung", 2, dir.path(), 60, 1, true);
        QCOMPARE(status[0], 3);
        const std::string err = readText(dir.filePath("error.txt"));
        const double seconds = std::stod(err);
        qInfo("hung peer: rank 0 stopped after %.2f s: %s", seconds,
              err.substr(err.find('\n') + 1).c_str());
        QVERIFY2(seconds > 3.0 && seconds < 4.0 + 6.0, err.c_str());
        QVERIFY2(err.find("within 4 s") != std::string::npos, err.c_str());
    }

    void pauseAndStopReachEveryRank() {
        QTemporaryDir dir;
        QCOMPARE(test::runRanks("control", 2, dir.path()), std::vector<int>({0, 0}));
        QCOMPARE(readText(dir.filePath("control0.txt")), std::string("gggSg"));
        QCOMPARE(readText(dir.filePath("control1.txt")), std::string("gggSg"));
    }
};

int main(int argc, char** argv) {
    const int worker = test::runTestWorker({
        {"ddp", [](const std::string& d) { return ddpWorker(d, false); }},
        {"ddp_accumulate", [](const std::string& d) { return ddpWorker(d, true); }},
        {"killed", [](const std::string& d) { return faultWorker(d, false); }},
        {"hung", [](const std::string& d) { return faultWorker(d, true); }},
        {"control", controlWorker},
        {"gather", gatherWorker},
    });
    if (worker >= 0)
        return worker;
    TestDistributed t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_distributed.moc"
