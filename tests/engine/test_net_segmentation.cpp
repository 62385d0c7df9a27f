/// Segmentation networks: BasicUNet, DynUNet, SegResNet and SegResNetVAE.
/// Output shapes in 1, 2 and 3 dimensions (anisotropic DynUNet, odd sizes for
/// BasicUNet), deep supervision's stacked training output, MONAI's parameter
/// and state-dict key counts, errors naming the field, toJson round trips,
/// the VAE's auxiliary loss, and MONAI's own outputs for the same weights
/// (shared/parity net_basicunet / net_dynunet / net_segresnet; the cases of
/// tests/data/networks/make_segmentation.py run through medulla-parity).

#include "NetworkTestSupport.h"

#include "engine/core/Error.h"
#include "engine/networks/Network.h"
#include "engine/networks/SegResNetVAE.h"
#include "engine/networks/StateDict.h"

using namespace medulla;

namespace {

using test::buildNetwork;
using test::configErrorField;
using test::parameterCount;

std::vector<int64_t> ints(const QList<int>& l) {
    return std::vector<int64_t>(l.begin(), l.end());
}

} // namespace

class TestNetSegmentation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void outputShapes_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("config");
        QTest::addColumn<QList<int>>("input");
        QTest::addColumn<QList<int>>("output");
        QTest::newRow("BasicUNet 3D deconv")
            << "BasicUNet"
            << R"({"features":[2,2,4,4,8,2]})" << QList<int>{1, 1, 16, 16, 32}
            << QList<int>{1, 2, 16, 16, 32};
        QTest::newRow("BasicUNet 2D pixelshuffle, odd size")
            << "BasicUNet"
            << R"({"spatial_dims":2,"in_channels":3,"out_channels":4,"features":[4,4,8,8,16,4],"upsample":"pixelshuffle"})"
            << QList<int>{2, 3, 35, 18} << QList<int>{2, 4, 35, 18};
        QTest::newRow("BasicUNet 1D nontrainable, batch")
            << "BasicUNet"
            << R"({"spatial_dims":1,"features":[4,4,8,8,16,4],"upsample":"nontrainable","norm":"batch"})"
            << QList<int>{2, 1, 48} << QList<int>{2, 2, 48};
        QTest::newRow("DynUNet 3D anisotropic")
            << "DynUNet"
            << R"({"kernel_size":[[3,3,1],[3,3,3],3],"strides":[1,[2,2,1],2],"upsample_kernel_size":[[2,2,1],2],"filters":[4,8,16]})"
            << QList<int>{1, 1, 16, 16, 8} << QList<int>{1, 2, 16, 16, 8};
        QTest::newRow("DynUNet 2D residual")
            << "DynUNet"
            << R"({"spatial_dims":2,"out_channels":3,"kernel_size":[3,3,3,3],"strides":[1,2,2,2],"upsample_kernel_size":[2,2,2],"filters":[4,8,8,16],"res_block":true})"
            << QList<int>{2, 1, 32, 24} << QList<int>{2, 3, 32, 24};
        QTest::newRow("DynUNet 1D")
            << "DynUNet"
            << R"({"spatial_dims":1,"kernel_size":[3,3,3],"strides":[1,2,2],"upsample_kernel_size":[2,2],"filters":[4,4,8]})"
            << QList<int>{2, 1, 20} << QList<int>{2, 2, 20};
        QTest::newRow("SegResNet 3D") << "SegResNet"
                                      << R"({"init_filters":4,"norm":["group",{"num_groups":2}]})"
                                      << QList<int>{1, 1, 16, 8, 24} << QList<int>{1, 2, 16, 8, 24};
        QTest::newRow("SegResNet 2D deconv instance")
            << "SegResNet"
            << R"({"spatial_dims":2,"init_filters":4,"in_channels":2,"out_channels":3,"norm":"instance","upsample_mode":"deconv","blocks_down":[1,1,1],"blocks_up":[1,1]})"
            << QList<int>{2, 2, 12, 20} << QList<int>{2, 3, 12, 20};
        QTest::newRow("SegResNet 2D no final conv")
            << "SegResNet"
            << R"({"spatial_dims":2,"init_filters":4,"norm":"batch","use_conv_final":false,"upsample_mode":"pixelshuffle"})"
            << QList<int>{2, 1, 16, 16} << QList<int>{2, 4, 16, 16};
        QTest::newRow("SegResNetVAE 2D")
            << "SegResNetVAE"
            << R"({"spatial_dims":2,"input_image_size":[32,16],"init_filters":4,"norm":"batch","vae_nz":4})"
            << QList<int>{2, 1, 32, 16} << QList<int>{2, 2, 32, 16};
    }
    void outputShapes() {
        QFETCH(QString, name);
        QFETCH(QString, config);
        QFETCH(QList<int>, input);
        QFETCH(QList<int>, output);
        torch::manual_seed(0);
        auto net = buildNetwork(name.toStdString(), Json::parse(config.toStdString()));
        const at::Tensor x = torch::randn(ints(input));
        net->train();
        QCOMPARE(net->forward(x).sizes().vec(), ints(output));
        net->eval();
        torch::NoGradGuard guard;
        QCOMPARE(net->forward(x).sizes().vec(), ints(output));
    }

    /// Deep supervision: training stacks the main output and the heads on
    /// dim 1; evaluation gives the main output only.
    void dynUNetDeepSupervision() {
        torch::manual_seed(1);
        auto net = buildNetwork("DynUNet", {{"spatial_dims", 2},
                                            {"kernel_size", {3, 3, 3, 3, 3}},
                                            {"strides", {1, 2, 2, 2, 2}},
                                            {"upsample_kernel_size", {2, 2, 2, 2}},
                                            {"filters", {4, 4, 8, 8, 8}},
                                            {"deep_supervision", true},
                                            {"deep_supr_num", 3}});
        const at::Tensor x = torch::randn({2, 1, 32, 32});
        net->train();
        const at::Tensor y = net->forward(x);
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{2, 4, 2, 32, 32}));
        net->eval();
        torch::NoGradGuard guard;
        const at::Tensor e = net->forward(x);
        QCOMPARE(e.sizes().vec(), (std::vector<int64_t>{2, 2, 32, 32}));
        // Instance norm only: the main output is the same in both modes.
        QVERIFY(torch::allclose(y.select(1, 0), e, 1e-4, 1e-5));
        // Anisotropic sizes: the size divisor is per-axis stride products' lcm.
        auto aniso =
            buildNetwork("DynUNet", {{"kernel_size", {3, 3, 3}},
                                     {"strides", Json::array({1, {2, 2, 1}, {2, 2, 4}})},
                                     {"upsample_kernel_size", Json::array({{2, 2, 1}, {2, 2, 4}})},
                                     {"filters", {2, 2, 2}}});
        QCOMPARE(aniso->sizeDivisor(), int64_t(4));
    }

    void parameterCountsMatchMonai_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("config");
        QTest::addColumn<qint64>("params");
        QTest::addColumn<int>("keys");
        // Counts from MONAI 1.3.2: sum(p.numel() for p in net.parameters()) and
        // len(net.state_dict()) of the same constructor call.
        QTest::newRow("BasicUNet default") << "BasicUNet"
                                           << "{}" << qint64(5749410) << 82;
        QTest::newRow("BasicUNet 2D pixelshuffle")
            << "BasicUNet"
            << R"({"spatial_dims":2,"features":[4,4,8,8,16,4],"upsample":"pixelshuffle"})"
            << qint64(17934) << 82;
        QTest::newRow("BasicUNet 1D nontrainable")
            << "BasicUNet"
            << R"({"spatial_dims":1,"features":[4,4,8,8,16,4],"upsample":"nontrainable"})"
            << qint64(3926) << 80;
        QTest::newRow("DynUNet default filters")
            << "DynUNet"
            << R"({"kernel_size":[3,3,3,3],"strides":[1,2,2,2],"upsample_kernel_size":[2,2,2]})"
            << qint64(5600930) << 92;
        QTest::newRow("DynUNet 2D deep supervision, residual")
            << "DynUNet"
            << R"({"spatial_dims":2,"out_channels":3,"kernel_size":[[3,3],[3,1],3,3,3],"strides":[1,[2,1],2,2,2],"upsample_kernel_size":[[2,1],2,2,2],"filters":[4,8,16,32,64],"deep_supervision":true,"deep_supr_num":3,"res_block":true})"
            << qint64(124192) << 160;
        QTest::newRow("SegResNet default") << "SegResNet"
                                           << "{}" << qint64(1176186) << 83;
        QTest::newRow("SegResNet 2D deconv")
            << "SegResNet"
            << R"({"spatial_dims":2,"init_filters":4,"norm":"instance","upsample_mode":"deconv"})"
            << qint64(99722) << 39;
        QTest::newRow("SegResNetVAE")
            << "SegResNetVAE"
            << R"({"input_image_size":[32,32,32],"init_filters":4,"norm":["group",{"num_groups":2}],"vae_nz":16})"
            << qint64(315355) << 102;
        QTest::newRow("SegResNetVAE 2D prelu")
            << "SegResNetVAE"
            << R"({"input_image_size":[32,32],"spatial_dims":2,"init_filters":4,"act":"prelu","norm":"batch","vae_estimate_std":true})"
            << qint64(154240) << 207;
    }
    void parameterCountsMatchMonai() {
        QFETCH(QString, name);
        QFETCH(QString, config);
        QFETCH(qint64, params);
        QFETCH(int, keys);
        auto net = buildNetwork(name.toStdString(), Json::parse(config.toStdString()));
        QCOMPARE(parameterCount(*net), int64_t(params));
        QCOMPARE(int(moduleStateDict(*net).size()), keys);
    }

    void badConfigsNameTheField() {
        QCOMPARE(configErrorField("BasicUNet", {{"features", {4, 4, 8}}}),
                 QString("network.features"));
        QCOMPARE(configErrorField("BasicUNet", {{"upsample", "bogus"}}),
                 QString("network.upsample"));
        QCOMPARE(configErrorField(
                     "DynUNet",
                     {{"kernel_size", {3, 3}}, {"strides", {1, 2}}, {"upsample_kernel_size", {2}}}),
                 QString("network.kernel_size"));
        QCOMPARE(configErrorField("DynUNet", {{"kernel_size", Json::array({3, {3, 3}, 3})},
                                              {"strides", {1, 2, 2}},
                                              {"upsample_kernel_size", {2, 2}}}),
                 QString("network.kernel_size[1]"));
        QCOMPARE(configErrorField("DynUNet", {{"kernel_size", {3, 3, 3}},
                                              {"strides", Json::array({1, "two", 2})},
                                              {"upsample_kernel_size", {2, 2}}}),
                 QString("network.strides[1]"));
        QCOMPARE(configErrorField("DynUNet", {{"kernel_size", 3}}), QString("network.kernel_size"));
        QCOMPARE(configErrorField("DynUNet", {{"filters", {4, 8}}}), QString("network.filters"));
        QCOMPARE(configErrorField("DynUNet", {{"deep_supervision", true}, {"deep_supr_num", 3}}),
                 QString("network.deep_supr_num"));
        QCOMPARE(configErrorField("SegResNet", {{"spatial_dims", 1}}),
                 QString("network.spatial_dims"));
        QCOMPARE(configErrorField("SegResNet", {{"norm_name", "batch"}}),
                 QString("network.norm_name"));
        QCOMPARE(configErrorField("SegResNet", {{"upsample_mode", "bogus"}}),
                 QString("network.upsample_mode"));
        QCOMPARE(configErrorField("SegResNet", {{"dropout_prob", "high"}}),
                 QString("network.dropout_prob"));
        QCOMPARE(configErrorField("SegResNetVAE", {{"input_image_size", {32, 32}}}),
                 QString("network.input_image_size"));
    }

    void jsonRoundTripKeepsKeys_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("config");
        QTest::newRow("BasicUNet")
            << "BasicUNet"
            << R"({"spatial_dims":2,"features":[4,4,8,8,16,4],"upsample":"nontrainable","dropout":0.2,"act":"prelu"})";
        QTest::newRow("DynUNet")
            << "DynUNet"
            << R"({"spatial_dims":2,"kernel_size":[[3,1],3,3],"strides":[1,[2,1],2],"upsample_kernel_size":[[2,1],2],"filters":[2,4,8],"deep_supervision":true,"res_block":true,"dropout":0.1})";
        QTest::newRow("SegResNet")
            << "SegResNet"
            << R"({"spatial_dims":2,"init_filters":2,"norm_name":"group","num_groups":2,"dropout_prob":0.1,"act":"prelu"})";
        QTest::newRow("SegResNetVAE")
            << "SegResNetVAE"
            << R"({"spatial_dims":2,"input_image_size":[16,16],"init_filters":2,"norm":"batch","vae_nz":3,"act":"prelu"})";
    }
    void jsonRoundTripKeepsKeys() {
        QFETCH(QString, name);
        QFETCH(QString, config);
        auto a = buildNetwork(name.toStdString(), Json::parse(config.toStdString()));
        Json j = a->toJson();
        QCOMPARE(QString::fromStdString(j["name"].get<std::string>()), name);
        auto b = networkRegistry().create(j, "network");
        QCOMPARE(b->toJson(), j);
        const StateDict ka = moduleStateDict(*a), kb = moduleStateDict(*b);
        QCOMPARE(ka.size(), kb.size());
        for (const auto& kv : ka) {
            QVERIFY2(kb.count(kv.first), kv.first.c_str());
            QCOMPARE(kb.at(kv.first).sizes().vec(), kv.second.sizes().vec());
        }
    }

    /// MONAI lists a module reached by two paths twice in its state dict but
    /// once in named_parameters; so do we (aliases share the tensors).
    void aliasesShareTensors() {
        auto net = buildNetwork("DynUNet", {{"spatial_dims", 2},
                                            {"kernel_size", {3, 3, 3}},
                                            {"strides", {1, 2, 2}},
                                            {"upsample_kernel_size", {2, 2}},
                                            {"filters", {2, 4, 8}}});
        const StateDict sd = moduleStateDict(*net);
        QVERIFY(sd.count("skip_layers.downsample.conv1.conv.weight"));
        QVERIFY(sd.at("skip_layers.downsample.conv1.conv.weight")
                    .is_same(sd.at("input_block.conv1.conv.weight")));
        for (const auto& p : net->named_parameters())
            QVERIFY2(p.key().rfind("skip_layers", 0) != 0, p.key().c_str());
        net->to(torch::kDouble);
        const StateDict sd64 = moduleStateDict(*net);
        const std::string alias = "skip_layers.next_layer.next_layer.conv1.conv.weight";
        QCOMPARE(sd64.at(alias).scalar_type(), torch::kDouble);
        QVERIFY(sd64.at(alias).is_same(sd64.at("bottleneck.conv1.conv.weight")));
    }

    /// The VAE loss: defined, finite and positive after a training forward,
    /// undefined after an evaluation forward; the segmentation itself does
    /// not depend on the VAE's random draw.
    void vaeAuxiliaryLoss() {
        torch::manual_seed(2);
        auto net =
            buildNetwork("SegResNetVAE", {{"spatial_dims", 3},
                                          {"input_image_size", {16, 16, 16}},
                                          {"init_filters", 2},
                                          {"norm", Json::array({"group", {{"num_groups", 2}}})},
                                          {"blocks_down", {1, 1, 1}},
                                          {"blocks_up", {1, 1}},
                                          {"vae_nz", 4}});
        const at::Tensor x = torch::randn({2, 1, 16, 16, 16});
        net->train();
        const at::Tensor y1 = net->forward(x);
        const at::Tensor l1 = net->auxiliaryLoss();
        QVERIFY(l1.defined());
        QCOMPARE(l1.dim(), int64_t(0));
        QVERIFY(std::isfinite(l1.item<double>()));
        QVERIFY(l1.item<double>() > 0);
        const at::Tensor y2 = net->forward(x);
        QVERIFY(torch::equal(y1, y2));
        // The loss reaches the VAE's own parameters.
        (y2.sum() * 0 + net->auxiliaryLoss()).backward();
        for (const auto& p : net->named_parameters())
            if (p.key().rfind("vae_fc1", 0) == 0)
                QVERIFY2(p.value().grad().defined(), p.key().c_str());
        net->eval();
        torch::NoGradGuard guard;
        net->forward(x);
        QVERIFY(!net->auxiliaryLoss().defined());
        QCOMPARE(net->sizeDivisor(), int64_t(8));
    }

    void monaiParity_data() {
        QTest::addColumn<QString>("caseId");
        QTest::newRow("BasicUNet") << "net_basicunet";
        QTest::newRow("DynUNet") << "net_dynunet";
        QTest::newRow("SegResNet") << "net_segresnet";
    }
    void monaiParity() {
        QFETCH(QString, caseId);
        const auto nc = test::sharedNetworkCase(caseId.toStdString());
        auto net = buildNetwork(nc.c["op"].get<std::string>(), nc.c["params"]);
        const std::string why = test::checkParity(*net, nc, {/*train=*/false});
        QVERIFY2(why.empty(), why.c_str());
    }
};

QTEST_GUILESS_MAIN(TestNetSegmentation)
#include "test_net_segmentation.moc"
