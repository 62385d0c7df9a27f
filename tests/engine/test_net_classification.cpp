/// Classification networks: DenseNet (and DenseNet121/169/201/264) and SENet
/// (and SENet154, SEResNet50/101/152, SEResNeXt50/101). Output shapes in 1,
/// 2 and 3 dimensions, MONAI's parameter counts and state-dict keys, errors
/// naming the field, toJson round trips, and MONAI's own outputs and
/// gradients for the same weights (tests/data/networks/make_classification.py
/// and shared/parity net_densenet).

#include "NetworkTestSupport.h"

#include "engine/core/Error.h"
#include "engine/networks/DenseNet.h"
#include "engine/networks/Network.h"
#include "engine/networks/SENet.h"
#include "engine/networks/StateDict.h"

using namespace medulla;

namespace {

using test::buildNetwork;
using test::configErrorField;
using test::parameterCount;
using test::readJson;

const std::string kDataDir = test::networkDataDir();

/// FNV-1a 64 of the ordered lines "key shape0 shape1 ...\n" (as
/// make_classification.py writes it).
std::string keyHash(const Network& net) {
    uint64_t h = 0xCBF29CE484222325ULL;
    for (const auto& line : test::keyLines(net))
        for (unsigned char c : line + "\n") {
            h ^= c;
            h *= 0x100000001B3ULL;
        }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

} // namespace

class TestNetClassification : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void outputShapes_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("config");
        QTest::addColumn<QList<int>>("input");
        QTest::addColumn<int>("classes");
        QTest::newRow("DenseNet 3D")
            << "DenseNet"
            << R"({"spatial_dims":3,"in_channels":1,"out_channels":2,"init_features":4,"growth_rate":2,"block_config":[1,2,1]})"
            << QList<int>{2, 1, 24, 20, 16} << 2;
        QTest::newRow("DenseNet 2D instance dropout")
            << "DenseNet"
            << R"({"spatial_dims":2,"in_channels":3,"out_channels":5,"init_features":6,"growth_rate":4,"block_config":[2,2],"norm":"instance","dropout_prob":0.2})"
            << QList<int>{1, 3, 33, 47} << 5;
        QTest::newRow("DenseNet 1D group")
            << "DenseNet"
            << R"({"spatial_dims":1,"in_channels":2,"out_channels":3,"init_features":4,"growth_rate":4,"block_config":[2],"norm":["group",{"num_groups":2}]})"
            << QList<int>{2, 2, 50} << 3;
        QTest::newRow("SENet 2D SEResNeXt block")
            << "SENet"
            << R"({"spatial_dims":2,"in_channels":1,"block":"se_resnetxt_bottleneck","layers":[1,1,1,1],"groups":8,"reduction":16,"inplanes":16,"input_3x3":false,"downsample_kernel_size":1,"num_classes":3})"
            << QList<int>{2, 1, 40, 36} << 3;
        QTest::newRow("SENet 1D SEBottleneck 3x3 input")
            << "SENet"
            << R"({"spatial_dims":1,"in_channels":2,"block":"SEBottleneck","layers":[1,1,1,1],"groups":2,"reduction":16,"dropout_prob":null,"inplanes":8,"num_classes":7})"
            << QList<int>{2, 2, 64} << 7;
        QTest::newRow("SEResNet50 2D") << "SEResNet50"
                                       << R"({"spatial_dims":2,"in_channels":1,"num_classes":3})"
                                       << QList<int>{1, 1, 48, 40} << 3;
    }
    void outputShapes() {
        QFETCH(QString, name);
        QFETCH(QString, config);
        QFETCH(QList<int>, input);
        QFETCH(int, classes);
        auto net = buildNetwork(name.toStdString(), Json::parse(config.toStdString()));
        QCOMPARE(net->outChannels(), int64_t(classes));
        net->eval();
        torch::NoGradGuard ng;
        std::vector<int64_t> in(input.begin(), input.end());
        at::Tensor y = net->forward(torch::randn(in));
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{in[0], classes}));
    }

    void gradientsReachEveryParameter() {
        torch::manual_seed(0);
        for (auto [name, cfg] :
             std::vector<std::pair<std::string, Json>>{{"DenseNet",
                                                        {{"spatial_dims", 2},
                                                         {"in_channels", 1},
                                                         {"out_channels", 2},
                                                         {"init_features", 4},
                                                         {"growth_rate", 2},
                                                         {"block_config", {1, 1}}}},
                                                       {"SENet",
                                                        {{"spatial_dims", 1},
                                                         {"block", "se_resnet_bottleneck"},
                                                         {"layers", {1, 1, 1, 1}},
                                                         {"groups", 1},
                                                         {"reduction", 16},
                                                         {"inplanes", 8},
                                                         {"input_3x3", false},
                                                         {"num_classes", 2}}}}) {
            auto net = buildNetwork(name, cfg);
            net->train();
            const int dims = cfg["spatial_dims"];
            std::vector<int64_t> shape{2, 1};
            for (int i = 0; i < dims; ++i)
                shape.push_back(40);
            at::Tensor y = net->forward(torch::randn(shape));
            (y * torch::randn_like(y)).sum().backward();
            for (const auto& p : net->named_parameters()) {
                QVERIFY2(p.value().grad().defined(), p.key().c_str());
                QVERIFY2(p.value().grad().abs().sum().item<double>() > 0, p.key().c_str());
            }
        }
    }

    /// Counts printed by MONAI 1.3.2 (sum of p.numel() over parameters()).
    void parameterCountsEqualMonai() {
        // shared/parity net_densenet, net_densenet121, net_seresnet50 notes
        QCOMPARE(parameterCount(*buildNetwork("DenseNet", {{"spatial_dims", 3},
                                                           {"in_channels", 1},
                                                           {"out_channels", 2},
                                                           {"init_features", 8},
                                                           {"growth_rate", 4},
                                                           {"block_config", {2, 2, 2, 2}}})),
                 int64_t(18826));
        QCOMPARE(
            parameterCount(*buildNetwork(
                "DenseNet121", {{"spatial_dims", 3}, {"in_channels", 1}, {"out_channels", 2}})),
            int64_t(11244674));
        QCOMPARE(parameterCount(*buildNetwork(
                     "SEResNet50", {{"spatial_dims", 2}, {"in_channels", 1}, {"num_classes", 3}})),
                 int64_t(26038899));
        // MONAI: DenseNet121(spatial_dims=2, in_channels=3, out_channels=1000) -> 7978856
        // (torchvision's count)
        QCOMPARE(
            parameterCount(*buildNetwork(
                "DenseNet121", {{"spatial_dims", 2}, {"in_channels", 3}, {"out_channels", 1000}})),
            int64_t(7978856));
    }

    /// The named variants too big to store: keys, shapes, counts and dropout
    /// against cls_state_keys_big.json.
    void bigVariantKeys() {
        const Json ref = readJson(kDataDir + "/cls_state_keys_big.json");
        QVERIFY(ref.size() >= 9);
        for (const auto& e : ref) {
            const std::string op = e["op"];
            auto net = buildNetwork(op, e["params"]);
            const StateDict own = moduleStateDict(*net);
            QVERIFY2(parameterCount(*net) == e["num_parameters"].get<int64_t>(), op.c_str());
            QVERIFY2(int64_t(own.size()) == e["num_state_entries"].get<int64_t>(), op.c_str());
            std::map<std::string, int64_t> perModule;
            for (const auto& kv : own) {
                const auto first = kv.first.find('.');
                const auto second = kv.first.find('.', first + 1);
                ++perModule[kv.first.substr(0, second)];
            }
            for (const auto& [prefix, count] : e["entries_per_module"].items())
                QVERIFY2(perModule[prefix] == count.get<int64_t>(), (op + " " + prefix).c_str());
            QVERIFY2(keyHash(*net) == e["fnv1a64"].get<std::string>(),
                     (op + ": key order or shapes differ from MONAI's").c_str());
            bool dropout = false;
            for (const auto& m : net->modules())
                dropout = dropout || m->as<torch::nn::DropoutImpl>() ||
                          m->as<torch::nn::Dropout2dImpl>() || m->as<torch::nn::Dropout3dImpl>();
            QVERIFY2(dropout == e["has_dropout"].get<bool>(), (op + " dropout").c_str());
            if (e.contains("keys"))
                for (const auto& k : e["keys"]) {
                    const std::string key = k[0];
                    QVERIFY2(own.count(key), (op + ": missing " + key).c_str());
                    QCOMPARE(own.at(key).sizes().vec(), k[1].get<std::vector<int64_t>>());
                }
        }
    }

    void badConfigsNameTheField() {
        QCOMPARE(configErrorField("DenseNet", {{"block_config", Json::array()}}),
                 QString("network.block_config"));
        QCOMPARE(configErrorField("DenseNet", {{"growth_rate", 0}}),
                 QString("network.growth_rate"));
        QCOMPARE(configErrorField("DenseNet", {{"dropout_prob", 1.5}}),
                 QString("network.dropout_prob"));
        QCOMPARE(configErrorField("DenseNet", {{"spatial_dims", 4}}),
                 QString("network.spatial_dims"));
        QCOMPARE(configErrorField("DenseNet121", {{"pretrained", true}}),
                 QString("network.pretrained"));
        QCOMPARE(configErrorField("DenseNet264", {{"pretrained", true}}),
                 QString("network.pretrained"));
        QCOMPARE(configErrorField("SENet", {{"layers", {1, 1, 1}}}), QString("network.layers"));
        QCOMPARE(configErrorField("SENet", {{"block", "resnet"}}), QString("network.block"));
        QCOMPARE(configErrorField("SENet", {{"reduction", 512}, {"layers", {1, 1, 1, 1}}}),
                 QString("network.reduction"));
        QCOMPARE(configErrorField("SENet", {{"downsample_kernel_size", 2}}),
                 QString("network.downsample_kernel_size"));
        QCOMPARE(configErrorField("SENet", {{"dropout_prob", "half"}}),
                 QString("network.dropout_prob"));
        QCOMPARE(configErrorField("SEResNet50", {{"pretrained", true}}),
                 QString("network.pretrained"));
        QCOMPARE(configErrorField("SENet154", {{"block", "se_bottleneck"}}),
                 QString("network.block"));
        QCOMPARE(configErrorField("SEResNet50", {{"groups", 3}, {"layers", {1, 1, 1, 1}}}),
                 QString("network.groups"));
    }

    void toJsonRoundTrip() {
        for (auto [name, cfg] : std::vector<std::pair<std::string, Json>>{
                 {"DenseNet",
                  {{"spatial_dims", 1},
                   {"init_features", 4},
                   {"growth_rate", 2},
                   {"block_config", {2, 1}},
                   {"norm", "instance"},
                   {"act", Json::array({"leakyrelu", {{"negative_slope", 0.2}}})},
                   {"dropout_prob", 0.1}}},
                 {"DenseNet169", {{"spatial_dims", 2}, {"growth_rate", 4}, {"init_features", 8}}},
                 {"SENet",
                  {{"spatial_dims", 1},
                   {"block", "se_resnetxt_bottleneck"},
                   {"layers", {1, 2, 1, 1}},
                   {"groups", 4},
                   {"reduction", 8},
                   {"dropout_prob", nullptr},
                   {"inplanes", 8},
                   {"downsample_kernel_size", 3},
                   {"num_classes", 4}}},
                 {"SEResNet50", {{"spatial_dims", 1}, {"layers", {1, 1, 1, 1}}}},
                 {"SENet154",
                  {{"spatial_dims", 1},
                   {"layers", {1, 1, 1, 1}},
                   {"groups", 8},
                   {"dropout_dim", 1}}}}) {
            auto a = buildNetwork(name, cfg);
            const Json j = a->toJson();
            QCOMPARE(QString::fromStdString(j["name"]), QString::fromStdString(name));
            auto b = networkRegistry().create(j, "network");
            QCOMPARE(b->toJson(), j);
            const StateDict sa = moduleStateDict(*a), sb = moduleStateDict(*b);
            QCOMPARE(sa.size(), sb.size());
            for (const auto& kv : sa) {
                QVERIFY2(sb.count(kv.first), kv.first.c_str());
                QCOMPARE(sb.at(kv.first).sizes(), kv.second.sizes());
            }
        }
    }

    void senetDropoutDefaultsFollowMonai() {
        // SEResNet50 / SEResNeXt50 / 101 default to no dropout; SEResNet101 / 152 and
        // SENet154 inherit SENet's 0.2.
        auto dropoutOf = [](const std::string& name) {
            Json j = buildNetwork(name, {{"spatial_dims", 1}, {"layers", {1, 1, 1, 1}}})->toJson();
            return j["dropout_prob"];
        };
        QVERIFY(dropoutOf("SEResNet50").is_null());
        QVERIFY(dropoutOf("SEResNeXt101").is_null());
        QCOMPARE(dropoutOf("SEResNet152").get<double>(), 0.2);
        QCOMPARE(dropoutOf("SENet154").get<double>(), 0.2);
    }

    void monaiParity_data() {
        QTest::addColumn<QString>("dir");
        QTest::addColumn<QString>("manifest");
        QTest::addColumn<QString>("caseId");
        const QString own = QString::fromStdString(kDataDir);
        const QString mc = "manifest_classification.json";
        QTest::newRow("DenseNet 3D (shared)")
            << QString::fromStdString(test::parityDir()) << "manifest.json"
            << "net_densenet";
        QTest::newRow("DenseNet 2D instance dropout")
            << own << mc << "cls_densenet_2d_instance_dropout";
        QTest::newRow("DenseNet 1D group leaky") << own << mc << "cls_densenet_1d_group_leaky";
        QTest::newRow("DenseNet 3D batch elu") << own << mc << "cls_densenet_3d_batch_elu";
    }
    void monaiParity() {
        QFETCH(QString, dir);
        QFETCH(QString, manifest);
        QFETCH(QString, caseId);
        const auto nc =
            test::readNetworkCase(dir.toStdString(), manifest.toStdString(), caseId.toStdString());
        QVERIFY2(!nc.c.is_null(), "case not found");
        auto net = buildNetwork(nc.c["op"], nc.c["params"]);
        const std::string why = test::checkParity(*net, nc);
        QVERIFY2(why.empty(), why.c_str());
    }
};

QTEST_GUILESS_MAIN(TestNetClassification)
#include "test_net_classification.moc"
