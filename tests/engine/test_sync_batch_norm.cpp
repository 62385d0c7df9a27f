/// SyncBatchNorm (engine/distributed/SyncBatchNorm.h): two real processes in
/// a Gloo group give the outputs, input gradients, summed weight gradients
/// and running statistics of one process running plain BatchNorm3d on the
/// concatenated batch; alone or in eval mode it is plain batch norm; the
/// "syncbatch" factory hook and the JSON conversion.
///
/// The multi-process case re-executes this binary with MEDULLA_TEST_WORKER=
/// syncbn (checked in main() before the Qt Test suite runs), so no process
/// forks after LibTorch started its threads.

#include <torch/torch.h>

#include <QCoreApplication>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/distributed/DistributedContext.h"
#include "engine/distributed/SyncBatchNorm.h"
#include "engine/networks/Layers.h"
#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"

using namespace medulla;
namespace nn = torch::nn;

namespace {

constexpr int kWorld = 2;
constexpr int64_t kChannels = 4;

/// One multi-process scenario: which global rows each rank holds, the
/// momentum (unset: cumulative average) and how many training steps.
struct Scenario {
    std::vector<int64_t> firstRow; ///< per rank, plus the end (size kWorld + 1)
    c10::optional<double> momentum;
    int steps;
};

std::vector<Scenario> scenarios() {
    // even split as DistributedSampler deals it; uneven, two steps, cumulative average
    return {{{0, 2, 4}, 0.1, 1}, {{0, 1, 4}, c10::nullopt, 2}};
}

/// Global input of step `step` (identical in every process): mean far from
/// 0 so that a sum-of-squares variance would lose digits.
at::Tensor globalInput(int step) {
    torch::manual_seed(7 + step);
    return torch::randn({4, kChannels, 3, 4, 5}) * (2.0 + step) + 3.0;
}

/// The fixed loss weights: loss = sum(y * w).
at::Tensor lossWeights() {
    torch::manual_seed(99);
    return torch::randn({4, kChannels, 3, 4, 5});
}

/// Affine parameters that are not the identity.
void setAffine(at::Tensor weight, at::Tensor bias) {
    torch::NoGradGuard ng;
    torch::manual_seed(5);
    weight.copy_(1.0 + 0.5 * torch::randn({kChannels}));
    bias.copy_(torch::randn({kChannels}));
}

/// Per step: y, dx of the rows [begin, end), then weight and bias grads;
/// after the steps: running_mean, running_var, num_batches_tracked.
template <class BN>
std::vector<at::Tensor> runSteps(BN& bn, const Scenario& s, int64_t begin, int64_t end) {
    std::vector<at::Tensor> out;
    const at::Tensor w = lossWeights();
    for (int step = 0; step < s.steps; ++step) {
        if (bn->weight.grad().defined()) {
            bn->weight.mutable_grad().zero_();
            bn->bias.mutable_grad().zero_();
        }
        at::Tensor x = globalInput(step).narrow(0, begin, end - begin).clone().requires_grad_();
        at::Tensor y = bn->forward(x);
        (y * w.narrow(0, begin, end - begin)).sum().backward();
        out.insert(out.end(),
                   {y.detach(), x.grad(), bn->weight.grad().clone(), bn->bias.grad().clone()});
    }
    out.insert(out.end(), {bn->running_mean.clone(), bn->running_var.clone(),
                           bn->num_batches_tracked.clone()});
    return out;
}

/// The worker: joins the group, runs every scenario on its rows, saves the
/// results to MEDULLA_TEST_OUT.
int runWorker() {
    try {
        torch::set_num_threads(1);
        const DistributedEnv env = DistributedEnv::fromEnvironment();
        auto group = DistributedContext::join(
            env, DistributedOptions().backend("gloo").timeout_s(60.0), c10::Device(c10::kCPU));
        std::vector<at::Tensor> all;
        for (const Scenario& s : scenarios()) {
            SyncBatchNorm bn(nn::BatchNormOptions(kChannels).momentum(s.momentum));
            setAffine(bn->weight, bn->bias);
            bn->train();
            const auto r = runSteps(bn, s, s.firstRow[env.rank], s.firstRow[env.rank + 1]);
            all.insert(all.end(), r.begin(), r.end());
        }
        torch::save(all, std::getenv("MEDULLA_TEST_OUT"));
        group->barrier();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "worker failed: " << e.what() << std::endl;
        return 1;
    }
}

/// A TCP port free right now on 127.0.0.1.
int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof(a);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        throw std::runtime_error("cannot find a free port");
    ::close(fd);
    return ntohs(a.sin_port);
}

double g_worst = 0; ///< largest difference checked by EXPECT_CLOSE (logged)

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
    if (a.sizes() != b.sizes())
        return 1e30;
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

#define EXPECT_CLOSE(got, want, tol, what)                                                         \
    do {                                                                                           \
        const double d_ = maxAbsDiff(got, want);                                                   \
        g_worst = std::max(g_worst, d_);                                                           \
        QVERIFY2(d_ <= (tol), qPrintable(QString("%1: max |diff| %2 > %3")                         \
                                             .arg(QString::fromStdString(what))                    \
                                             .arg(d_)                                              \
                                             .arg(tol)));                                          \
    } while (0)

std::set<std::string> stateKeys(const nn::Module& m) {
    std::set<std::string> keys;
    for (const auto& p : m.named_parameters())
        keys.insert(p.key() + " " + c10::str(p.value().sizes()));
    for (const auto& b : m.named_buffers())
        keys.insert(b.key() + " " + c10::str(b.value().sizes()));
    return keys;
}

int countSync(const nn::Module& m) {
    int n = 0;
    for (const auto& c : m.modules())
        n += c->as<SyncBatchNormImpl>() != nullptr;
    return n;
}

Json unetJson(const Json& norm) {
    return {
        {"name", "UNet"},         {"spatial_dims", 3}, {"in_channels", 1},   {"out_channels", 2},
        {"channels", {4, 8, 16}}, {"strides", {2, 2}}, {"num_res_units", 1}, {"norm", norm}};
}

} // namespace

class TestSyncBatchNorm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    /// Two processes (Gloo) vs one process with BatchNorm3d on the whole
    /// batch: outputs and gradients within 1e-5, running stats within 1e-6.
    void twoProcessesEqualGlobalBatchNorm() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const int port = freePort();
        std::vector<std::unique_ptr<QProcess>> procs;
        for (int r = 0; r < kWorld; ++r) {
            auto p = std::make_unique<QProcess>();
            p->setProcessChannelMode(QProcess::MergedChannels);
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("MEDULLA_TEST_WORKER", "syncbn");
            env.insert("RANK", QString::number(r));
            env.insert("LOCAL_RANK", QString::number(r));
            env.insert("WORLD_SIZE", QString::number(kWorld));
            env.insert("LOCAL_WORLD_SIZE", QString::number(kWorld));
            env.insert("MASTER_ADDR", "127.0.0.1");
            env.insert("MASTER_PORT", QString::number(port));
            env.insert("MEDULLA_TEST_OUT", dir.filePath(QString("rank%1.pt").arg(r)));
            p->setProcessEnvironment(env);
            p->start(QCoreApplication::applicationFilePath(), {});
            QVERIFY2(p->waitForStarted(10000), "worker did not start");
            procs.push_back(std::move(p));
        }
        for (int r = 0; r < kWorld; ++r) {
            QProcess& p = *procs[size_t(r)];
            const bool done = p.waitForFinished(100000);
            if (!done)
                p.kill();
            const QString out = QString::fromLocal8Bit(p.readAll());
            QVERIFY2(done && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
                     qPrintable(QString("rank %1 failed:\n%2").arg(r).arg(out)));
        }
        std::vector<std::vector<at::Tensor>> ranks(kWorld);
        for (int r = 0; r < kWorld; ++r)
            torch::load(ranks[size_t(r)], dir.filePath(QString("rank%1.pt").arg(r)).toStdString());

        size_t offset = 0;
        for (const Scenario& s : scenarios()) {
            nn::BatchNorm3d ref(nn::BatchNormOptions(kChannels).momentum(s.momentum));
            setAffine(ref->weight, ref->bias);
            ref->train();
            const auto want = runSteps(ref, s, 0, 4);
            const std::string name =
                "rank 0 holds " + std::to_string(s.firstRow[1]) + " of 4 samples";
            for (int step = 0; step < s.steps; ++step) {
                const size_t i = size_t(step) * 4;
                std::vector<at::Tensor> y, dx;
                at::Tensor dw = torch::zeros({kChannels}), db = torch::zeros({kChannels});
                for (const auto& got : ranks) {
                    y.push_back(got[offset + i]);
                    dx.push_back(got[offset + i + 1]);
                    dw += got[offset + i + 2];
                    db += got[offset + i + 3];
                }
                const std::string at = name + " step " + std::to_string(step);
                EXPECT_CLOSE(torch::cat(y), want[i], 1e-5, at + " output");
                EXPECT_CLOSE(torch::cat(dx), want[i + 1], 1e-5, at + " input grad");
                EXPECT_CLOSE(dw, want[i + 2], 1e-5, at + " weight grad (sum over ranks)");
                EXPECT_CLOSE(db, want[i + 3], 1e-5, at + " bias grad (sum over ranks)");
                // the gradient reaches the other rank's rows: not a local batch norm
                QVERIFY(want[i + 1].abs().max().item<double>() > 1e-2);
            }
            const size_t k = size_t(s.steps) * 4;
            for (const auto& got : ranks) {
                EXPECT_CLOSE(got[offset + k], want[k], 1e-6, name + " running_mean");
                EXPECT_CLOSE(got[offset + k + 1], want[k + 1], 1e-6, name + " running_var");
                QCOMPARE(got[offset + k + 2].item<int64_t>(), int64_t(s.steps));
            }
            // the running stats moved away from their start (0, 1)
            QVERIFY(want[k].abs().min().item<double>() > 0.1);
            qInfo("%s: max |diff| to BatchNorm3d %.3g", name.c_str(), g_worst);
            g_worst = 0;
            offset += k + 3;
        }
        QCOMPARE(ranks[0].size(), offset);
    }

    /// Without a process group: exactly BatchNorm{1,2,3}d (outputs, grads,
    /// running stats), also with the cumulative average.
    void aloneEqualsBatchNorm() {
        QVERIFY(!DistributedContext::current());
        for (int dims = 0; dims <= 3; ++dims)
            for (bool cumulative : {false, true}) {
                auto o = nn::BatchNormOptions(3).eps(1e-3);
                if (cumulative)
                    o.momentum(c10::nullopt);
                SyncBatchNorm sync(o);
                nn::BatchNorm3d ref3(o); // same parameters / functional for any rank
                std::vector<int64_t> shape{5, 3};
                for (int d = 0; d < dims; ++d)
                    shape.push_back(3 + d);
                for (int step = 0; step < 2; ++step) {
                    torch::manual_seed(11 + step);
                    at::Tensor x = torch::randn(shape) * 3 + 1;
                    at::Tensor xs = x.clone().requires_grad_(), xr = x.clone().requires_grad_();
                    at::Tensor w = torch::randn(shape);
                    at::Tensor ys = sync->forward(xs);
                    at::Tensor yr = torch::nn::functional::batch_norm(
                        xr, ref3->running_mean, ref3->running_var,
                        torch::nn::functional::BatchNormFuncOptions()
                            .weight(ref3->weight)
                            .bias(ref3->bias)
                            .training(true)
                            .momentum(cumulative ? 1.0 / (step + 1) : 0.1)
                            .eps(1e-3));
                    (ys * w).sum().backward();
                    (yr * w).sum().backward();
                    QVERIFY(torch::equal(ys, yr));
                    QVERIFY(torch::equal(xs.grad(), xr.grad()));
                }
                QVERIFY(torch::equal(sync->weight.grad(), ref3->weight.grad()));
                QVERIFY(torch::equal(sync->bias.grad(), ref3->bias.grad()));
                QVERIFY(torch::equal(sync->running_mean, ref3->running_mean));
                QVERIFY(torch::equal(sync->running_var, ref3->running_var));
                QCOMPARE(sync->num_batches_tracked.item<int64_t>(), int64_t(2));
            }
        // against BatchNorm3d itself, training and eval
        nn::BatchNorm3d bn(4);
        SyncBatchNorm sync(4);
        torch::manual_seed(3);
        at::Tensor x = torch::randn({2, 4, 3, 3, 3}) - 2;
        QVERIFY(torch::equal(sync->forward(x), bn->forward(x)));
        QVERIFY(torch::equal(sync->running_var, bn->running_var));
        sync->eval();
        bn->eval();
        QVERIFY(torch::equal(sync->forward(x), bn->forward(x)));
    }

    /// Eval mode: (x - running_mean) / sqrt(running_var + eps) * w + b.
    void evalUsesRunningStats() {
        SyncBatchNorm sync(nn::BatchNormOptions(3).eps(1e-2));
        {
            torch::NoGradGuard ng;
            sync->running_mean.copy_(torch::tensor({1.0f, -2.0f, 0.5f}));
            sync->running_var.copy_(torch::tensor({4.0f, 0.25f, 9.0f}));
            sync->weight.copy_(torch::tensor({2.0f, 1.0f, -1.0f}));
            sync->bias.copy_(torch::tensor({0.0f, 3.0f, 1.0f}));
        }
        sync->eval();
        torch::manual_seed(4);
        at::Tensor x = torch::randn({2, 3, 5});
        at::Tensor m = sync->running_mean.view({1, 3, 1});
        at::Tensor v = sync->running_var.view({1, 3, 1});
        at::Tensor want = (x - m) / torch::sqrt(v + 1e-2) * sync->weight.view({1, 3, 1}) +
                          sync->bias.view({1, 3, 1});
        EXPECT_CLOSE(sync->forward(x), want, 1e-6, std::string("eval output"));
        QCOMPARE(sync->num_batches_tracked.item<int64_t>(), int64_t(0));
        QCOMPARE(sync->running_mean[1].item<float>(), -2.0f);
    }

    void badInputThrows() {
        SyncBatchNorm sync(4);
        QVERIFY_THROWS_EXCEPTION(Error, sync->forward(torch::zeros({2, 3, 5})));
        QVERIFY_THROWS_EXCEPTION(Error, sync->forward(torch::zeros({4})));
    }

    void convertsBatchNormsInJson() {
        const Json net = {{"name", "X"},
                          {"norm", "BATCH"},
                          {"mode", "batch"},
                          {"blocks",
                           {{{"norm_name", {"batch", {{"eps", 1e-3}}}}},
                            {{"norm", "instance"}},
                            {{"norm_type", {"group", {{"num_groups", 2}}}}},
                            {{"inner", {{"norm", {"Batch"}}}}}}}};
        const Json want = {{"name", "X"},
                           {"norm", "syncbatch"},
                           {"mode", "batch"},
                           {"blocks",
                            {{{"norm_name", {"syncbatch", {{"eps", 1e-3}}}}},
                             {{"norm", "instance"}},
                             {{"norm_type", {"group", {{"num_groups", 2}}}}},
                             {{"inner", {{"norm", {"syncbatch"}}}}}}}};
        QCOMPARE(QString::fromStdString(withSyncBatchNorm(net).dump()),
                 QString::fromStdString(want.dump()));
        const Json unet = unetJson(Json::array({"batch", {{"eps", 1e-3}}}));
        QCOMPARE(withSyncBatchNorm(unet)["norm"], Json::array({"syncbatch", {{"eps", 1e-3}}}));
        QCOMPARE(withSyncBatchNorm(unetJson("instance")), unetJson("instance"));
    }

    /// "syncbatch" builds SyncBatchNorm once registered, with BatchNorm's
    /// state keys; without the factory it falls back to BatchNorm.
    void unetSyncBatchHasBatchStateKeys() {
        registerSyncBatchNorm();
        auto plain = networkRegistry().create(unetJson("batch"), "network");
        auto sync = networkRegistry().create(
            withSyncBatchNorm(unetJson(Json::array({"batch", {{"eps", 1e-3}}}))), "network");
        QCOMPARE(countSync(*plain), 0);
        QVERIFY(countSync(*sync) >= 4);
        QVERIFY(stateKeys(*sync) == stateKeys(*plain));
        QVERIFY(stateKeys(*plain).count("model.0.conv.unit0.adn.N.running_var [4]") == 1);
        for (const auto& c : sync->modules())
            if (auto* s = c->as<SyncBatchNormImpl>())
                QCOMPARE(s->options.eps(), 1e-3);
        // plain weights load into the synchronized net, which then computes
        // the same in one process (training mode: batch statistics)
        loadStateDict(*sync, moduleStateDict(*plain));
        for (const auto& c : sync->modules())
            if (auto* s = c->as<SyncBatchNormImpl>())
                s->options.eps(1e-5);
        torch::manual_seed(1);
        const at::Tensor x = torch::randn({2, 1, 16, 16, 16});
        EXPECT_CLOSE(sync->forward(x), plain->forward(x), 1e-6, std::string("UNet output"));
        setSyncBatchNormFactory({});
        auto fallback = networkRegistry().create(unetJson("syncbatch"), "network");
        QCOMPARE(countSync(*fallback), 0);
        QVERIFY(stateKeys(*fallback) == stateKeys(*plain));
    }
};

int main(int argc, char** argv) {
    if (const char* w = std::getenv("MEDULLA_TEST_WORKER"); w && std::string(w) == "syncbn")
        return runWorker();
    QCoreApplication app(argc, argv);
    TestSyncBatchNorm t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_sync_batch_norm.moc"
