/// UNet: output shapes, gradient flow, MONAI state-dict keys, and MONAI's
/// own outputs for the same weights (shared/parity net_unet_*).

#include "TestSupport.h"

#include "engine/core/Error.h"
#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"
#include "engine/networks/UNet.h"

using namespace medulla;

namespace {
std::shared_ptr<Network> build(const nlohmann::json& params) {
    Json cfg = params;
    cfg["name"] = "UNet";
    return networkRegistry().create(cfg, "network");
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
        const auto c = test::parityCase(caseId.toStdString());
        auto net = build(c["params"]);
        // same keys, same order, same shapes as MONAI's state_dict()
        nlohmann::json keys;
        std::ifstream(test::parityDir() + "/" + c["inputs"]["state_keys"].get<std::string>()) >>
            keys;
        const StateDict own = moduleStateDict(*net);
        QCOMPARE(own.size(), keys.size());
        for (const auto& k : keys) {
            const std::string key = k["key"];
            QVERIFY2(own.count(key), ("missing key " + key).c_str());
            QCOMPARE(own.at(key).sizes().vec(), k["shape"].get<std::vector<int64_t>>());
        }
        loadStateDict(*net, readStateDict(test::parityDir() + "/" +
                                          c["inputs"]["state_dict"].get<std::string>()));
        at::Tensor x = test::parityArray(c, "inputs", "input");
        std::string why;
        net->eval();
        {
            torch::NoGradGuard ng;
            QVERIFY2(test::allClose(net->forward(x), test::parityArray(c, "outputs", "output"),
                                    c["rtol"], c["atol"], &why),
                     why.c_str());
        }
        net->train();
        at::Tensor y = net->forward(x);
        QVERIFY2(test::allClose(y, test::parityArray(c, "outputs", "train_output"), c["rtol"],
                                c["atol"], &why),
                 why.c_str());
        y.sum().backward();
        nlohmann::json norms;
        std::ifstream(test::parityDir() + "/" + c["outputs"]["grad_norms"].get<std::string>()) >>
            norms;
        const double rtol = c.value("grad_norms_rtol", 1e-3),
                     atol = c.value("grad_norms_atol", 1e-4);
        const auto params = net->named_parameters();
        QCOMPARE(params.size(), norms.size());
        for (const auto& p : params) {
            QVERIFY2(norms.contains(p.key()), ("no reference norm for " + p.key()).c_str());
            const auto& want = norms[p.key()];
            if (want.is_null())
                continue;
            const double got = p.value().grad().norm().item<double>();
            QVERIFY2(std::fabs(got - want.get<double>()) <= atol + rtol * want.get<double>(),
                     qPrintable(QString("%1: grad norm %2 vs %3")
                                    .arg(QString::fromStdString(p.key()))
                                    .arg(got)
                                    .arg(want.get<double>())));
        }
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
