/// UNet: output shapes, gradient flow, MONAI state-dict keys, and MONAI's
/// own outputs for the same weights (shared/parity net_unet_*).

#include "NetworkTestSupport.h"

#include "engine/core/Error.h"
#include "engine/networks/MemoryFormat.h"
#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"
#include "engine/networks/UNet.h"

using namespace medulla;

namespace {
std::shared_ptr<Network> build(const Json& params) {
    return test::buildNetwork("UNet", params);
}
} // namespace

class TestUNet : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void outputShapes_data() {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QList<int>>("input");
        QTest::addColumn<QList<int>>("output");
        QTest::newRow("3D, res units, batch norm")
            << R"({"spatial_dims":3,"in_channels":1,"out_channels":2,"channels":[4,8,16],"strides":[2,2],"num_res_units":2,"norm":"batch"})"
            << QList<int>{2, 1, 16, 24, 32} << QList<int>{2, 2, 16, 24, 32};
        QTest::newRow("3D, plain convs, instance norm")
            << R"({"spatial_dims":3,"in_channels":2,"out_channels":3,"channels":[4,8,16,32],"strides":[2,2,2]})"
            << QList<int>{1, 2, 16, 16, 16} << QList<int>{1, 3, 16, 16, 16};
        QTest::newRow("2D, relu")
            << R"({"spatial_dims":2,"in_channels":1,"out_channels":4,"channels":[4,8],"strides":[2],"act":"relu"})"
            << QList<int>{3, 1, 20, 12} << QList<int>{3, 4, 20, 12};
    }
    void outputShapes() {
        QFETCH(QString, config);
        QFETCH(QList<int>, input);
        QFETCH(QList<int>, output);
        auto net = build(nlohmann::json::parse(config.toStdString()));
        std::vector<int64_t> in(input.begin(), input.end()), out(output.begin(), output.end());
        at::Tensor y = net->forward(torch::randn(in));
        QCOMPARE(y.sizes().vec(), out);
    }

    void gradientsReachEveryParameter() {
        torch::manual_seed(0);
        auto net = build({{"spatial_dims", 3},
                          {"in_channels", 1},
                          {"out_channels", 2},
                          {"channels", {4, 8, 16}},
                          {"strides", {2, 2}},
                          {"num_res_units", 1},
                          {"norm", "instance"}});
        net->train();
        at::Tensor y = net->forward(torch::randn({2, 1, 16, 16, 16}));
        (y * torch::randn_like(y)).sum().backward();
        int n = 0;
        for (const auto& p : net->named_parameters()) {
            QVERIFY2(p.value().grad().defined(), p.key().c_str());
            QVERIFY2(p.value().grad().abs().sum().item<double>() > 0, p.key().c_str());
            ++n;
        }
        QVERIFY(n > 10);
    }

    void badConfigsNameTheField() {
        try {
            build({{"channels", {4, 8, 16}}, {"strides", {2}}});
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QCOMPARE(QString::fromStdString(e.field()), QString("network.strides"));
        }
        QVERIFY_THROWS_EXCEPTION(ConfigError, build({{"norm", "layer"}}));
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 build({{"channels", {4}}, {"strides", Json::array()}}));
    }

    void monaiParity_data() {
        QTest::addColumn<QString>("caseId");
        QTest::newRow("batch norm") << "net_unet_batch";
        QTest::newRow("instance norm") << "net_unet_instance";
        QTest::newRow("2D relu") << "net_unet_2d";
    }
    void monaiParity() {
        QFETCH(QString, caseId);
        const auto nc = test::sharedNetworkCase(caseId.toStdString());
        auto net = build(nc.c["params"]);
        // same keys, same order, same shapes as MONAI's state_dict(); no dropout to zero
        const std::string why = test::checkParity(
            *net, nc, {/*train=*/true, /*zeroDropout=*/false, /*sameCount=*/true});
        QVERIFY2(why.empty(), why.c_str());
    }

    /// The trainer's CPU fast path (channels-last activations and weights,
    /// FastConv gradients) trains the same network: MONAI's net_unet_batch
    /// weights give MONAI's train output and gradient norms.
    void channelsLastTrainsTheSameNetwork() {
        const auto nc = test::sharedNetworkCase("net_unet_batch");
        auto net = build(nc.c["params"]);
        test::loadCaseWeights(*net, nc);
        toChannelsLast(*net);
        QVERIFY(net->named_parameters()["model.0.conv.unit0.conv.weight"].is_contiguous(
            at::MemoryFormat::ChannelsLast3d));
        net->train();
        at::Tensor y = net->forward(channelsLast(nc.array("inputs", "input")));
        std::string why;
        QVERIFY2(test::allClose(y, nc.array("outputs", "train_output"), nc.c["rtol"], nc.c["atol"],
                                &why),
                 why.c_str());
        y.sum().backward();
        why = test::checkGradNorms(*net, nc);
        QVERIFY2(why.empty(), why.c_str());
        // the state dict writes plain (contiguous) tensors
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/w.pt").toStdString();
        writeStateDict(moduleStateDict(*net), path);
        QVERIFY(readStateDict(path).at("model.0.conv.unit0.conv.weight").is_contiguous());
    }

    void stateDictRoundTrip() {
        QTemporaryDir dir;
        auto a = build(
            {{"channels", {4, 8}}, {"strides", {2}}, {"norm", "batch"}, {"num_res_units", 1}});
        auto b = build(
            {{"channels", {4, 8}}, {"strides", {2}}, {"norm", "batch"}, {"num_res_units", 1}});
        const std::string path = (dir.path() + "/w.pt").toStdString();
        writeStateDict(moduleStateDict(*a), path);
        loadStateDict(*b, readStateDict(path));
        a->eval();
        b->eval();
        at::Tensor x = torch::randn({1, 1, 8, 8, 8});
        QVERIFY(torch::allclose(a->forward(x), b->forward(x)));
    }
};

QTEST_GUILESS_MAIN(TestUNet)
#include "test_unet.moc"
