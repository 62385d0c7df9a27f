/// Filtering and post-processing dictionary transforms: MONAI's outputs
/// (../shared/parity) through the registry, JSON round trips, seeded
/// random draws re-derived by hand, and named errors for bad parameters.

#include <QtTest>
#include <torch/torch.h>

#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/core/Random.h"
#include "engine/transforms/Compose.h"
#include "engine/transforms/FilterOps.h"
#include "engine/transforms/PostOps.h"
#include "engine/transforms/Transform.h"

using namespace medulla;

namespace {

/// Run one registered transform (from JSON) on {key: x}.
at::Tensor runOne(const Json& config, const at::Tensor& x, const std::string& key,
                  uint64_t seed = 0) {
    const TransformPtr t = transformRegistry().create(config, "t");
    Sample s;
    s.volumes[key] = Volume(x);
    RandomGenerator rng(seed);
    return t->apply(s, rng).at(key).data();
}

/// Every key of the case's params copied into a transform config.
Json configFrom(const Json& c, const std::string& name, const std::string& key) {
    Json cfg = c["params"];
    cfg["name"] = name;
    cfg["keys"] = Json{key};
    return cfg;
}

} // namespace

class TestPostprocess : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    /// MONAI's own outputs, through the dictionary transforms built from JSON
    /// with MONAI's parameter names.
    void dictTransformsMatchMonai_data() {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("transform");
        for (const char* id : {"tf_gaussiansmooth_69", "tf_gaussiansmooth_70",
                               "tf_gaussiansmooth_71", "tf_gaussiansmooth_72"})
            QTest::newRow(id) << id << "GaussianSmoothd";
        for (const char* id : {"tf_asdiscrete_73", "tf_asdiscrete_74", "tf_asdiscrete_75",
                               "tf_asdiscrete_76", "tf_asdiscrete_77"})
            QTest::newRow(id) << id << "AsDiscreted";
        for (const char* id :
             {"tf_keeplargestconnectedcomponent_78", "tf_keeplargestconnectedcomponent_79",
              "tf_keeplargestconnectedcomponent_80", "tf_keeplargestconnectedcomponent_81",
              "tf_keeplargestconnectedcomponent_82_onehot"})
            QTest::newRow(id) << id << "KeepLargestConnectedComponentd";
        for (const char* id : {"tf_labeltocontour_83", "tf_labeltocontour_84_2d"})
            QTest::newRow(id) << id << "LabelToContourd";
        for (const char* id : {"tf_fillholes_85", "tf_fillholes_86", "tf_fillholes_87",
                               "tf_fillholes_88", "tf_fillholes_89"})
            QTest::newRow(id) << id << "FillHolesd";
    }
    void dictTransformsMatchMonai() {
        QFETCH(QString, id);
        QFETCH(QString, transform);
        const Json c = test::parityCase(id.toStdString());
        const at::Tensor x = test::parityArray(c, "inputs", "img");
        const at::Tensor want = test::parityArray(c, "outputs", "img");
        const Json cfg = configFrom(c, transform.toStdString(), "pred");
        const at::Tensor got = runOne(cfg, x, "pred");
        std::string why;
        QVERIFY2(test::allClose(got, want, c["rtol"].get<double>(), c["atol"].get<double>(), &why),
                 why.c_str());
        // The same result from the transform rebuilt from its own JSON.
        const Json again = transformRegistry().create(cfg, "t")->toJson();
        QVERIFY(torch::equal(runOne(again, x, "pred"), got));
        // The input volume is not modified in place.
        QVERIFY(torch::equal(x, test::parityArray(c, "inputs", "img")));
    }

    void jsonRoundTrips() {
        const Json pipeline = Json::parse(R"([
            {"name": "GaussianSmoothd", "keys": ["image"], "sigma": [0.5, 1.0, 1.5], "approx": "sampled"},
            {"name": "RandGaussianSmoothd", "keys": ["image"], "sigma_x": [0.1, 0.2], "prob": 0.5},
            {"name": "RandGaussianSharpend", "sigma2_y": [0.2, 0.3], "alpha": [5, 6], "prob": 1.0},
            {"name": "Activationsd", "keys": ["pred"], "softmax": true, "other": "tanh"},
            {"name": "AsDiscreted", "keys": ["pred"], "argmax": true, "to_onehot": 3, "threshold": 0.5},
            {"name": "KeepLargestConnectedComponentd", "applied_labels": [1, 2], "is_onehot": false,
             "independent": false, "connectivity": 2, "num_components": 2},
            {"name": "RemoveSmallObjectsd", "min_size": 10, "connectivity": 2, "by_measure": true,
             "pixdim": [1, 2, 3]},
            {"name": "FillHolesd", "applied_labels": [3], "connectivity": 1},
            {"name": "LabelToContourd", "keys": ["label"]}])");
        const Compose c = Compose::fromJson(pipeline, "post");
        const Json out = c.toJson();
        QCOMPARE(Compose::fromJson(out, "again").toJson(), out);
        QCOMPARE(out[4]["to_onehot"].get<int>(), 3);
        QCOMPARE(out[4]["threshold"].get<double>(), 0.5);
        QVERIFY(out[4]["rounding"].is_null());
        QCOMPARE(out[5]["is_onehot"].get<bool>(), false);
        QCOMPARE(out[5]["applied_labels"], Json({1, 2}));
        QCOMPARE(out[2]["sigma2_x"].get<double>(), 0.5); // MONAI's default
        // MONAI's None written as JSON null reads back as None.
        const Json nulls = Json::parse(R"({"name": "KeepLargestConnectedComponentd",
            "applied_labels": null, "is_onehot": null, "connectivity": null})");
        const Json back = transformRegistry().create(nulls, "t")->toJson();
        QVERIFY(back["applied_labels"].is_null() && back["is_onehot"].is_null() &&
                back["connectivity"].is_null());
        QVERIFY(transformRegistry().create(Json{{"name", "RandGaussianSmoothd"}}, "t")->isRandom());
        QVERIFY(
            transformRegistry().create(Json{{"name", "RandGaussianSharpend"}}, "t")->isRandom());
        QVERIFY(!transformRegistry().create(Json{{"name", "GaussianSmoothd"}}, "t")->isRandom());
        // Defaults are MONAI's.
        const Json d =
            transformRegistry().create(Json{{"name", "RandGaussianSharpend"}}, "t")->toJson();
        QCOMPARE(d["sigma1_x"], Json({0.5, 1.0}));
        QCOMPARE(d["alpha"], Json({10.0, 30.0}));
        QCOMPARE(d["prob"].get<double>(), 0.1);
        const Json g =
            transformRegistry().create(Json{{"name", "RandGaussianSmoothd"}}, "t")->toJson();
        QCOMPARE(g["sigma_z"], Json({0.25, 1.5}));
        QCOMPARE(g["prob"].get<double>(), 0.1);
    }

    /// The draws, re-derived by hand: u < prob, then sigma x, y, z; the same
    /// sigmas for every key; the same seed gives the same output.
    void randGaussianSmoothIsSeeded() {
        torch::manual_seed(0);
        const at::Tensor x = torch::rand({1, 10, 9, 8});
        const Json cfg = Json::parse(R"({"name": "RandGaussianSmoothd", "keys": ["image", "copy"],
            "sigma_x": [0.5, 1.0], "sigma_y": [1.0, 2.0], "sigma_z": [0.3, 0.4], "prob": 0.5})");
        const TransformPtr t = transformRegistry().create(cfg, "t");
        int applied = 0;
        for (uint64_t seed = 0; seed < 8; ++seed) {
            Sample s;
            s.volumes["image"] = Volume(x);
            s.volumes["copy"] = Volume(x.clone());
            RandomGenerator rng(seed);
            const Sample out = t->apply(s, rng);
            RandomGenerator ref(seed);
            const bool apply = ref.uniform() < 0.5;
            at::Tensor want = x;
            if (apply) {
                const double sx = 0.5 + 0.5 * ref.uniform(), sy = 1.0 + 1.0 * ref.uniform(),
                             sz = 0.3 + 0.1 * ref.uniform();
                want = gaussianSmooth(x, {sx, sy, sz});
                ++applied;
            }
            QVERIFY(torch::allclose(out.at("image").data(), want, 0, 1e-6));
            QVERIFY(torch::equal(out.at("image").data(), out.at("copy").data()));
            RandomGenerator again(seed);
            QVERIFY(torch::equal(t->apply(s, again).at("image").data(), out.at("image").data()));
        }
        QVERIFY(applied > 0 && applied < 8); // both branches were exercised
    }

    void randGaussianSharpenIsSeeded() {
        torch::manual_seed(1);
        const at::Tensor x = torch::rand({2, 12, 11});
        const Json cfg = Json::parse(R"({"name": "RandGaussianSharpend", "keys": ["image"],
            "prob": 1.0, "sigma2_y": [0.2, 0.3]})");
        const at::Tensor got = runOne(cfg, x, "image", 42);
        RandomGenerator ref(42);
        QVERIFY(ref.uniform() < 1.0);
        const double x1 = 0.5 + 0.5 * ref.uniform(), y1 = 0.5 + 0.5 * ref.uniform();
        ref.uniform();                                      // z1, drawn even for 2D data
        const double x2 = 0.5 + (x1 - 0.5) * ref.uniform(); // single value: [0.5, x1]
        const double y2 = 0.2 + 0.1 * ref.uniform();
        ref.uniform(); // z2
        const double alpha = 10.0 + 20.0 * ref.uniform();
        const at::Tensor want = gaussianSharpen(x, {x1, y1}, {x2, y2}, alpha);
        QVERIFY(torch::allclose(got, want, 0, 1e-5));
        // Closed form of the sharpening itself: b + alpha (b - G2 b).
        const at::Tensor b = gaussianSmooth(x, {x1, y1});
        QVERIFY(torch::allclose(want, b + alpha * (b - gaussianSmooth(b, {x2, y2})), 1e-5, 1e-4));
        QVERIFY(!torch::equal(runOne(cfg, x, "image", 43), got));
    }

    void activationsAndRemoveSmallObjects() {
        const at::Tensor x = torch::tensor({-1.0f, 0.0f, 2.0f}).view({3, 1, 1});
        const at::Tensor sm = runOne(Json{{"name", "Activationsd"}, {"softmax", true}}, x, "pred");
        const double z = std::exp(-1.0) + 1.0 + std::exp(2.0);
        QVERIFY(std::abs(sm[2][0][0].item<double>() - std::exp(2.0) / z) < 1e-6);
        const at::Tensor th =
            runOne(Json{{"name", "Activationsd"}, {"sigmoid", true}, {"other", "tanh"}}, x, "pred");
        QVERIFY(std::abs(th[0][0][0].item<double>() - std::tanh(1.0 / (1.0 + std::exp(1.0)))) <
                1e-6);
        // Objects of 1, 2 and 4 voxels; min_size 3 keeps only the 4-voxel one.
        at::Tensor m = torch::zeros({1, 6, 6});
        m[0][0][0] = 1;
        m[0][2][2] = m[0][2][3] = 1;
        m[0][5][2] = m[0][5][3] = m[0][5][4] = m[0][5][5] = 1;
        const at::Tensor kept =
            runOne(Json{{"name", "RemoveSmallObjectsd"}, {"min_size", 3}}, m, "pred");
        QCOMPARE(kept.sum().item<double>(), 4.0);
        QCOMPARE(kept[0][5][5].item<double>(), 1.0);
        // by_measure with the volume's spacing: 2 x 1 mm voxels, 3 mm^2 -> 2 voxels.
        Sample s;
        Affine a;
        a(0, 0) = 2.0;
        s.volumes["pred"] = Volume(m, a);
        RandomGenerator rng(0);
        const TransformPtr t = transformRegistry().create(
            Json{{"name", "RemoveSmallObjectsd"}, {"min_size", 3}, {"by_measure", true}}, "t");
        QCOMPARE(t->apply(s, rng).at("pred").data().sum().item<double>(), 6.0);
        // Diagonal neighbours join with connectivity 2.
        at::Tensor d = torch::zeros({1, 4, 4});
        d[0][0][0] = d[0][1][1] = d[0][2][2] = 1;
        QCOMPARE(runOne(Json{{"name", "RemoveSmallObjectsd"}, {"min_size", 3}}, d, "pred")
                     .sum()
                     .item<double>(),
                 0.0);
        QCOMPARE(runOne(Json{{"name", "RemoveSmallObjectsd"}, {"min_size", 3}, {"connectivity", 2}},
                        d, "pred")
                     .sum()
                     .item<double>(),
                 3.0);
    }

    void badParametersNameTransformAndParameter_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("approx") << R"({"name": "GaussianSmoothd", "approx": "box"})"
                                << "GaussianSmoothd.*approx";
        QTest::newRow("sigma") << R"({"name": "GaussianSmoothd", "sigma": [1, 2, 3, 4]})"
                               << "GaussianSmoothd.*sigma";
        QTest::newRow("range") << R"({"name": "RandGaussianSmoothd", "sigma_x": [1.0]})"
                               << "RandGaussianSmoothd.*sigma_x";
        QTest::newRow("prob") << R"({"name": "RandGaussianSmoothd", "prob": 1.5})"
                              << "RandGaussianSmoothd.*prob";
        QTest::newRow("alpha") << R"({"name": "RandGaussianSharpend", "alpha": [30, 10]})"
                               << "RandGaussianSharpend.*alpha";
        QTest::newRow("both") << R"({"name": "Activationsd", "sigmoid": true, "softmax": true})"
                              << "Activationsd.*softmax";
        QTest::newRow("other") << R"({"name": "Activationsd", "other": "swish"})"
                               << "Activationsd.*other";
        QTest::newRow("rounding") << R"({"name": "AsDiscreted", "rounding": "floor"})"
                                  << "AsDiscreted.*rounding";
        QTest::newRow("onehot bool") << R"({"name": "AsDiscreted", "to_onehot": true})"
                                     << "AsDiscreted.*to_onehot";
        QTest::newRow("num_components")
            << R"({"name": "KeepLargestConnectedComponentd", "num_components": 0})"
            << "KeepLargestConnectedComponentd.*num_components";
        QTest::newRow("connectivity") << R"({"name": "FillHolesd", "connectivity": 5})"
                                      << "FillHolesd.*connectivity";
        QTest::newRow("min_size") << R"({"name": "RemoveSmallObjectsd", "min_size": -1})"
                                  << "RemoveSmallObjectsd.*min_size";
        QTest::newRow("kernel") << R"({"name": "LabelToContourd", "kernel_type": "Sobel"})"
                                << "LabelToContourd.*kernel_type";
    }
    void badParametersNameTransformAndParameter() {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        try {
            transformRegistry().create(Json::parse(json.toStdString()), "post_transforms[0]");
            QFAIL("no error");
        } catch (const ConfigError& e) {
            // Both the transform and the parameter are named, in any order.
            for (const QString& part : expected.split(".*"))
                QVERIFY2(QString(e.what()).contains(part), e.what());
        }
    }

    /// Errors that depend on the data name the op and the parameter too.
    void dataDependentErrors() {
        const at::Tensor x2d = torch::zeros({1, 5, 5});
        try {
            runOne(Json::parse(R"({"name": "KeepLargestConnectedComponentd", "connectivity": 3})"),
                   x2d, "pred");
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QVERIFY2(QString(e.what()).contains("connectivity"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(ShapeError,
                                 asDiscrete(torch::full({1, 2, 2}, 3.0f), false, 3, std::nullopt));
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 gaussianSmooth(torch::zeros({1, 4, 4}), {1.0, 1.0, 1.0}));
    }
};

QTEST_GUILESS_MAIN(TestPostprocess)
#include "test_postprocess.moc"
