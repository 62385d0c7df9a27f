/// "misc" networks: Generator, Regressor / Classifier / Discriminator,
/// HighResNet, VNet and AHNet. Output shapes in 1, 2 and 3 dimensions,
/// MONAI's parameter counts and state-dict keys, errors naming the field,
/// toJson round trips, and MONAI's own outputs and gradients for the same
/// weights (tests/data/networks/make_misc.py; the hash-weighted VNet/AHNet
/// cases and shared/parity's net_vnet / net_ahnet run in medulla-parity).

#include "NetworkTestSupport.h"

#include <functional>

#include "engine/core/Error.h"
#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"

using namespace medulla;

namespace {

using test::buildNetwork;
using test::configErrorField;
using test::keyLines;
using test::parameterCount;
using test::readJson;

const std::string kDataDir = test::networkDataDir();

Json with(Json base, const Json& patch) {
    base.update(patch);
    return base;
}

/// FNV-1a 64 of the lines joined with "\n" after each (make_misc.py's hash).
std::string keyHash(const torch::nn::Module& net) {
    uint64_t h = 0xCBF29CE484222325ULL;
    for (const auto& line : keyLines(net))
        for (unsigned char c : line + "\n") {
            h ^= c;
            h *= 0x100000001B3ULL;
        }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

/// Keys in MONAI's order with MONAI's shapes.
void checkKeys(const Network& net, const Json& keys) {
    const auto lines = keyLines(net);
    QCOMPARE(lines.size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
        std::string want = keys[i]["key"].get<std::string>();
        for (auto d : keys[i]["shape"])
            want += " " + std::to_string(d.get<int64_t>());
        QCOMPARE(QString::fromStdString(lines[i]), QString::fromStdString(want));
    }
}

} // namespace

class TestNetMisc : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void outputShapes_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("config");
        QTest::addColumn<QList<int>>("input");
        QTest::addColumn<QList<int>>("output");
        QTest::newRow("Generator 2D, residual units")
            << "Generator"
            << R"({"latent_shape":[8],"start_shape":[4,3,5],"channels":[4,2],"strides":[2,3],"num_res_units":1})"
            << QList<int>{2, 8} << QList<int>{2, 2, 18, 30};
        QTest::newRow("Generator 3D, plain, 2D latent")
            << "Generator"
            << R"({"latent_shape":[2,3],"start_shape":[2,2,3,4],"channels":[3,1],"strides":[2,1],"num_res_units":0,"norm":"batch"})"
            << QList<int>{3, 2, 3} << QList<int>{3, 1, 4, 6, 8};
        QTest::newRow("Generator 1D")
            << "Generator"
            << R"({"latent_shape":[5],"start_shape":[2,7],"channels":[2],"strides":[2]})"
            << QList<int>{1, 5} << QList<int>{1, 2, 14};
        QTest::newRow("Discriminator 2D")
            << "Discriminator"
            << R"({"in_shape":[1,16,16],"channels":[2,4],"strides":[2,2]})"
            << QList<int>{2, 1, 16, 16} << QList<int>{2, 1};
        QTest::newRow("Discriminator 3D, odd sizes")
            << "Discriminator"
            << R"({"in_shape":[2,9,7,5],"channels":[2,4],"strides":[2,2],"num_res_units":0})"
            << QList<int>{1, 2, 9, 7, 5} << QList<int>{1, 1};
        QTest::newRow("Classifier 1D")
            << "Classifier"
            << R"({"in_shape":[3,20],"classes":4,"channels":[2,4],"strides":[2,2],"last_act":"softmax"})"
            << QList<int>{2, 3, 20} << QList<int>{2, 4};
        QTest::newRow("Regressor 2D out_shape")
            << "Regressor"
            << R"({"in_shape":[1,12,12],"out_shape":[2,3],"channels":[2,4],"strides":[2,2]})"
            << QList<int>{2, 1, 12, 12} << QList<int>{2, 2, 3};
        QTest::newRow("HighResNet 3D")
            << "HighResNet"
            << R"({"spatial_dims":3,"in_channels":1,"out_channels":3,"layer_params":[{"n_features":4,"kernel_size":3},{"n_features":6,"kernels":[3,3],"repeat":1},{"n_features":8,"kernel_size":1},{"kernel_size":1}]})"
            << QList<int>{1, 1, 9, 10, 11} << QList<int>{1, 3, 9, 10, 11};
        QTest::newRow("HighResNet 2D project")
            << "HighResNet"
            << R"({"spatial_dims":2,"in_channels":2,"out_channels":2,"channel_matching":"project","norm_type":"instance","layer_params":[{"n_features":6,"kernel_size":3},{"n_features":4,"kernels":[3],"repeat":2},{"n_features":5,"kernels":[3,3],"repeat":1},{"n_features":8,"kernel_size":1},{"kernel_size":1}]})"
            << QList<int>{2, 2, 13, 17} << QList<int>{2, 2, 13, 17};
        QTest::newRow("VNet 2D") << "VNet"
                                 << R"({"spatial_dims":2,"in_channels":2,"out_channels":3})"
                                 << QList<int>{1, 2, 16, 32} << QList<int>{1, 3, 16, 32};
        QTest::newRow("AHNet 2D transpose")
            << "AHNet"
            << R"({"spatial_dims":2,"in_channels":1,"out_channels":2,"layers":[1,1,1,1],"psp_block_num":1})"
            << QList<int>{1, 1, 32, 32} << QList<int>{1, 2, 32, 32};
        QTest::newRow("AHNet 2D bilinear, no psp")
            << "AHNet"
            << R"({"spatial_dims":2,"in_channels":1,"out_channels":2,"layers":[1,1,1,1],"psp_block_num":0,"upsample_mode":"bilinear"})"
            << QList<int>{1, 1, 32, 64} << QList<int>{1, 2, 32, 64};
    }
    void outputShapes() {
        QFETCH(QString, name);
        QFETCH(QString, config);
        QFETCH(QList<int>, input);
        QFETCH(QList<int>, output);
        auto net = buildNetwork(name.toStdString(), Json::parse(config.toStdString()));
        net->eval();
        torch::NoGradGuard ng;
        std::vector<int64_t> in(input.begin(), input.end()), out(output.begin(), output.end());
        QCOMPARE(net->forward(torch::randn(in)).sizes().vec(), out);
        QCOMPARE(net->outChannels(), out[1]);
    }

    void gradientsReachEveryParameter() {
        torch::manual_seed(0);
        const std::vector<std::pair<std::string, Json>> nets{
            {"Generator",
             {{"latent_shape", {4}},
              {"start_shape", {3, 2, 2}},
              {"channels", {3, 2}},
              {"strides", {2, 2}},
              {"num_res_units", 2}}},
            {"Discriminator", {{"in_shape", {1, 8, 8}}, {"channels", {2, 4}}, {"strides", {2, 2}}}},
            {"HighResNet",
             {{"spatial_dims", 2},
              {"channel_matching", "project"},
              {"layer_params",
               Json::parse(
                   R"([{"n_features":3,"kernel_size":3},{"n_features":5,"kernels":[3,3],"repeat":1},{"n_features":4,"kernel_size":1},{"kernel_size":1}])")}}}};
        for (const auto& [name, cfg] : nets) {
            auto net = buildNetwork(name, cfg);
            net->train();
            std::vector<int64_t> shape{2, 4};
            if (name == "Discriminator")
                shape = {2, 1, 8, 8};
            else if (name == "HighResNet")
                shape = {2, 1, 9, 8};
            at::Tensor y = net->forward(torch::randn(shape));
            (y * torch::randn_like(y)).sum().backward();
            for (const auto& p : net->named_parameters()) {
                QVERIFY2(p.value().grad().defined(), (name + " " + p.key()).c_str());
                QVERIFY2(p.value().grad().abs().sum().item<double>() > 0,
                         (name + " " + p.key()).c_str());
            }
        }
    }

    void parameterCountsAndKeysMatchMonai() {
        // misc_state_keys_big.json: MONAI 1.3.2's parameter count, number of
        // state entries and key/shape hash of default-sized variants.
        for (const auto& e : readJson(kDataDir + "/misc_state_keys_big.json")) {
            const std::string op = e["op"];
            auto net = buildNetwork(op, e["params"]);
            const std::string what = op + " " + e["params"].dump();
            QVERIFY2(parameterCount(*net) == e["num_parameters"].get<int64_t>(), what.c_str());
            QVERIFY2(keyLines(*net).size() == e["num_state_entries"].get<size_t>(), what.c_str());
            QVERIFY2(keyHash(*net) == e["fnv1a64"].get<std::string>(), what.c_str());
        }
        // Counts printed by MONAI 1.3.2 (sum of p.numel() over parameters()).
        QCOMPARE(parameterCount(*buildNetwork("Generator", {{"latent_shape", {8}},
                                                            {"start_shape", {8, 4, 4}},
                                                            {"channels", {8, 4, 1}},
                                                            {"strides", {2, 2, 1}}})),
                 int64_t(3554));
        QCOMPARE(parameterCount(*buildNetwork("Discriminator", {{"in_shape", {1, 16, 16}},
                                                                {"channels", {4, 8, 16}},
                                                                {"strides", {2, 2, 2}}})),
                 int64_t(6130));
    }

    void statesMatchMonaiKeys_data() {
        QTest::addColumn<QString>("caseId");
        const Json manifest = readJson(kDataDir + "/manifest_misc.json");
        for (const auto& c : manifest["cases"])
            QTest::newRow(c["id"].get<std::string>().c_str())
                << QString::fromStdString(c["id"].get<std::string>());
    }
    void statesMatchMonaiKeys() {
        QFETCH(QString, caseId);
        const Json manifest = readJson(kDataDir + "/manifest_misc.json");
        for (const auto& c : manifest["cases"]) {
            if (c["id"] != caseId.toStdString())
                continue;
            auto net = buildNetwork(c["op"], c["params"]);
            checkKeys(*net,
                      readJson(kDataDir + "/" + c["inputs"]["state_keys"].get<std::string>()));
            const std::string notes = c["notes"];
            QCOMPARE(parameterCount(*net), std::stoll(notes.substr(0, notes.find(' '))));
        }
    }

    void badConfigsNameTheField() {
        const Json gen{{"latent_shape", {4}},
                       {"start_shape", {3, 2, 2}},
                       {"channels", {3, 2}},
                       {"strides", {2, 2}}};
        QCOMPARE(configErrorField("Generator", with(gen, {{"strides", {2}}})),
                 QString("network.strides"));
        QCOMPARE(configErrorField("Generator", with(gen, {{"start_shape", {3}}})),
                 QString("network.start_shape"));
        QCOMPARE(configErrorField("Generator", with(gen, {{"kernel_size", 4}})),
                 QString("network.kernel_size"));
        QCOMPARE(configErrorField(
                     "Discriminator",
                     {{"in_shape", {1, 4, 4, 4, 4}}, {"channels", {2, 2}}, {"strides", {2, 2}}}),
                 QString("network.in_shape"));
        QCOMPARE(configErrorField("Classifier", {{"classes", 0}}), QString("network.classes"));
        QCOMPARE(configErrorField("HighResNet", {{"channel_matching", "crop"}}),
                 QString("network.channel_matching"));
        QCOMPARE(
            configErrorField(
                "HighResNet",
                {{"layer_params",
                  Json::parse(
                      R"([{"n_features":4,"kernel_size":3},{"n_features":2,"kernels":[3],"repeat":1},{"n_features":4,"kernel_size":1},{"kernel_size":1}])")}}),
            QString("network.channel_matching"));
        QCOMPARE(configErrorField(
                     "HighResNet",
                     {{"layer_params",
                       Json::parse(R"([{"kernel_size":3},{"kernel_size":1},{"kernel_size":1}])")}}),
                 QString("network.layer_params[0]"));
        QCOMPARE(configErrorField("VNet", {{"in_channels", 3}}), QString("network.in_channels"));
        QCOMPARE(configErrorField("VNet", {{"spatial_dims", 1}}), QString("network.spatial_dims"));
        QCOMPARE(configErrorField("VNet", {{"dropout_prob_up", {0.5}}}),
                 QString("network.dropout_prob_up"));
        QCOMPARE(configErrorField("AHNet", {{"pretrained", true}}), QString("network.pretrained"));
        QCOMPARE(configErrorField("AHNet", {{"psp_block_num", 5}}),
                 QString("network.psp_block_num"));
        QCOMPARE(configErrorField("AHNet", {{"layers", {1, 1, 1}}}), QString("network.layers"));
        QCOMPARE(configErrorField("AHNet", {{"spatial_dims", 2}, {"upsample_mode", "trilinear"}}),
                 QString("network.upsample_mode"));
    }

    void toJsonRoundTrip() {
        const std::vector<std::pair<std::string, Json>> nets{
            {"Generator",
             {{"latent_shape", {4}},
              {"start_shape", {3, 2, 2}},
              {"channels", {3, 2}},
              {"strides", {2, 2}},
              {"kernel_size", {3, 5}},
              {"dropout", 0.1}}},
            {"Regressor",
             {{"in_shape", {1, 8, 8}},
              {"out_shape", {2, 2}},
              {"channels", {2, 4}},
              {"strides", {2, 2}},
              {"norm", Json::array({"group", {{"num_groups", 2}}})}}},
            {"Classifier",
             {{"in_shape", {1, 8}},
              {"classes", 3},
              {"channels", {2}},
              {"strides", {2}},
              {"last_act", "softmax"}}},
            {"Discriminator",
             {{"in_shape", {1, 8, 8}},
              {"channels", {2, 4}},
              {"strides", {2, 2}},
              {"last_act", nullptr}}},
            {"HighResNet",
             {{"spatial_dims", 2},
              {"norm_type", "instance"},
              {"dropout_prob", nullptr},
              {"channel_matching", "project"}}},
            {"VNet",
             {{"spatial_dims", 2},
              {"act", "prelu"},
              {"dropout_prob_down", nullptr},
              {"dropout_prob_up", {nullptr, 0.2}}}},
            {"AHNet",
             {{"spatial_dims", 2}, {"layers", {1, 1, 1, 1}}, {"upsample_mode", "nearest"}}},
        };
        for (const auto& [name, cfg] : nets) {
            auto a = buildNetwork(name, cfg);
            const Json j = a->toJson();
            QCOMPARE(QString::fromStdString(j["name"].get<std::string>()),
                     QString::fromStdString(name));
            auto b = networkRegistry().create(j, "network");
            QVERIFY2(keyLines(*a) == keyLines(*b), name.c_str());
            QCOMPARE(QString::fromStdString(b->toJson().dump()), QString::fromStdString(j.dump()));
        }
    }

    void monaiParity_data() {
        QTest::addColumn<QString>("dir");
        QTest::addColumn<QString>("manifest");
        QTest::addColumn<QString>("caseId");
        const QString shared = QString::fromStdString(test::parityDir());
        QTest::newRow("net_generator") << shared << "manifest.json"
                                       << "net_generator";
        QTest::newRow("net_discriminator") << shared << "manifest.json"
                                           << "net_discriminator";
        QTest::newRow("net_highresnet") << shared << "manifest.json"
                                        << "net_highresnet";
        const Json manifest = readJson(kDataDir + "/manifest_misc.json");
        for (const auto& c : manifest["cases"])
            if (c["inputs"].contains("state_dict"))
                QTest::newRow(c["id"].get<std::string>().c_str())
                    << QString::fromStdString(kDataDir) << "manifest_misc.json"
                    << QString::fromStdString(c["id"].get<std::string>());
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

QTEST_GUILESS_MAIN(TestNetMisc)
#include "test_net_misc.moc"
