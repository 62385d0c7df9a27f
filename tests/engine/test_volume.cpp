/// Volume and affine maths against closed-form results.

#include <QtTest>
#include <torch/torch.h>

#include <QDir>
#include <QTemporaryDir>

#include <fstream>

#include "engine/core/Affine.h"
#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/core/Random.h"
#include "engine/core/Volume.h"
#include "engine/transforms/Compose.h"
#include "engine/transforms/CropPadOps.h"
#include "engine/transforms/IntensityOps.h"
#include "engine/transforms/LoadImaged.h"
#include "engine/transforms/SpatialOps.h"

using namespace medulla;

class TestVolume : public QObject {
    Q_OBJECT
private Q_SLOTS:
    /// Flip/rotate/pad/crop from JSON keep every voxel at its world position,
    /// for the image and the label alike.
    void cropPadTransformsKeepWorldPositions() {
        const Json pipeline = Json::parse(R"([
            {"name": "Flipd", "spatial_axis": [0, 2]},
            {"name": "Rotate90d", "k": 3, "spatial_axes": [0, 2]},
            {"name": "SpatialPadd", "spatial_size": [9, 7, 8], "mode": "edge"},
            {"name": "DivisiblePadd", "k": [4], "method": "end"},
            {"name": "CenterSpatialCropd", "roi_size": [6, -1, 5]}])");
        const Compose c = Compose::fromJson(pipeline, "train_transforms");
        QCOMPARE(Compose::fromJson(c.toJson(), "again").toJson(), c.toJson());
        const Affine a({{{0.8, 0.1, 0, -20}, {0, -1.2, 0.2, 15}, {0.05, 0, 2.5, 3}, {0, 0, 0, 1}}});
        const at::Tensor x = torch::arange(5 * 6 * 7, torch::kFloat).view({1, 5, 6, 7});
        Sample s;
        s.volumes["image"] = Volume(x, a);
        s.volumes["label"] = Volume(x.gt(100).to(torch::kFloat), a);
        RandomGenerator rng(0);
        const Sample out = c(s, rng).front();
        const Volume& img = out.at("image");
        QVERIFY(img.affine().maxAbsDiff(out.at("label").affine()) == 0);
        QCOMPARE(img.data().sizes().vec(), (std::vector<int64_t>{1, 6, 8, 5}));
        // Every original voxel still in the output sits at the same world point.
        int checked = 0;
        for (int64_t i = 0; i < img.data().size(1); ++i)
            for (int64_t j = 0; j < img.data().size(2); ++j)
                for (int64_t k = 0; k < img.data().size(3); ++k) {
                    const Vec3 w = img.affine().voxelToWorld({double(i), double(j), double(k)});
                    const Vec3 src = a.worldToVoxel(w);
                    std::array<int64_t, 3> idx{};
                    bool inside = true;
                    for (int d = 0; d < 3; ++d) {
                        idx[size_t(d)] = std::llround(src[size_t(d)]);
                        QVERIFY(std::abs(src[size_t(d)] - double(idx[size_t(d)])) < 1e-6);
                        inside = inside && idx[size_t(d)] >= 0 && idx[size_t(d)] < x.size(d + 1);
                    }
                    if (!inside) // edge padding: the value of the nearest border voxel
                        continue;
                    QCOMPARE(img.data()[0][i][j][k].item<float>(),
                             x[0][idx[0]][idx[1]][idx[2]].item<float>());
                    ++checked;
                }
        QVERIFY(checked > 100);
        try {
            (void)Compose::fromJson(
                Json::parse(R"([{"name": "SpatialPadd", "spatial_size": [8], "mode": "mirror"}])"),
                "t");
            QFAIL("an unknown pad mode was accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("mode") != std::string::npos, e.what());
        }
    }
    /// The dictionary intensity transforms from JSON: the same numbers as the
    /// parity-checked array ops, a JSON round trip, and named errors.
    void intensityTransformsFromJson() {
        const Json pipeline = Json::parse(R"([
            {"name": "ScaleIntensityRanged", "keys": ["image"], "a_min": -100, "a_max": 600,
             "b_min": 0, "b_max": 1, "clip": true},
            {"name": "NormalizeIntensityd", "keys": ["image"], "nonzero": true},
            {"name": "ThresholdIntensityd", "keys": ["image"], "threshold": 0.5, "above": false,
             "cval": 9}])");
        const Compose c = Compose::fromJson(pipeline, "train_transforms");
        QCOMPARE(Compose::fromJson(c.toJson(), "again").toJson(), c.toJson());
        const at::Tensor x = torch::linspace(-300, 900, 2 * 3 * 4).view({1, 2, 3, 4});
        Sample s;
        s.volumes["image"] = Volume(x);
        RandomGenerator rng(0);
        const at::Tensor got = c(s, rng).front().at("image").data();
        at::Tensor want = scaleIntensityRange(x, -100, 600, 0.0, 1.0, true);
        want = normalizeIntensity(want, {}, {}, true, false);
        want = thresholdIntensity(want, 0.5, false, 9);
        QVERIFY(torch::allclose(got, want));
        QCOMPARE(got.lt(0.5).logical_or(got.eq(9)).all().item<bool>(), true);
        try {
            (void)Compose::fromJson(Json::parse(R"([{"name": "ThresholdIntensityd"}])"),
                                    "train_transforms");
            QFAIL("a missing threshold was accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("threshold") != std::string::npos, e.what());
        }
        try {
            (void)Compose::fromJson(
                Json::parse(R"([{"name": "NormalizeIntensityd", "subtrahend": [1, 2]}])"), "t");
            QFAIL("two subtrahends without channel_wise were accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("channel_wise") != std::string::npos, e.what());
        }
    }
    /// LoadImaged with MONAI's LoadImage options, on a real DICOM file.
    void loadImagedOptions() {
        const std::string ct =
            "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm";
        auto t = LoadImaged::fromJson(Json{{"keys", {"image"}},
                                           {"dtype", "none"},
                                           {"image_only", false},
                                           {"reader", "DicomReader"}},
                                      "transforms[0]");
        Sample s;
        s.paths["image"] = ct;
        RandomGenerator rng(0);
        s = t->apply(s, rng);
        QCOMPARE(s.at("image").data().sizes().vec(), (std::vector<int64_t>{1, 128, 128, 1}));
        QCOMPARE(s.at("image").data().scalar_type(), at::kShort); // "none": the file's int16
        QCOMPARE(s.meta.at("image").tags.at("Modality"), std::string("CT"));
        QCOMPARE(s.meta.at("image").reader, std::string("DicomReader"));
        QCOMPARE(t->toJson()["dtype"], Json("none"));
        // Defaults: float32, no metadata kept.
        Sample d;
        d.paths["image"] = ct;
        d = LoadImaged::fromJson(Json{{"keys", {"image"}}}, "t")->apply(d, rng);
        QCOMPARE(d.at("image").data().scalar_type(), at::kFloat);
        QVERIFY(d.meta.empty());
        // A wrong reader name is a configuration error naming the field.
        try {
            (void)LoadImaged::fromJson(Json{{"reader", "PILReader"}}, "transforms[0]");
            QFAIL("unknown reader accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("transforms[0].reader") != std::string::npos,
                     e.what());
        }
    }
    void geometryFromAffine() {
        // LSA: i -> -x (2 mm), j -> +z (2 mm), k -> +y (3 mm)
        Affine a({{{-2, 0, 0, 10}, {0, 0, 3, -254}, {0, 2, 0, 5}, {0, 0, 0, 1}}});
        const Vec3 s = a.spacing();
        QCOMPARE(s[0], 2.0);
        QCOMPARE(s[1], 2.0);
        QCOMPARE(s[2], 3.0);
        QCOMPARE(a.axisCodes(), std::string("LSA"));
        const Mat3 d = a.direction();
        QCOMPARE(d[0][0], -1.0);
        QCOMPARE(d[2][1], 1.0);
        QCOMPARE(d[1][2], 1.0);
        const Vec3 o = a.origin();
        QCOMPARE(o[0], 10.0);
        QCOMPARE(o[1], -254.0);
        const Vec3 w = a.voxelToWorld({1, 2, 3});
        QCOMPARE(w[0], 8.0);
        QCOMPARE(w[1], -245.0);
        QCOMPARE(w[2], 9.0);
    }

    void fromGeometryRoundTrip() {
        const double c = std::cos(0.3), s = std::sin(0.3);
        Mat3 dir{{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}};
        Affine a = Affine::fromGeometry({0.8, 0.9, 2.5}, {-10, 20, 30}, dir);
        const Vec3 sp = a.spacing();
        QVERIFY(std::fabs(sp[0] - 0.8) < 1e-12 && std::fabs(sp[1] - 0.9) < 1e-12 &&
                std::fabs(sp[2] - 2.5) < 1e-12);
        const Mat3 d = a.direction();
        for (int r = 0; r < 3; ++r)
            for (int k = 0; k < 3; ++k)
                QVERIFY(std::fabs(d[r][k] - dir[r][k]) < 1e-12);
        const Affine id = a * a.inverse();
        QVERIFY(id.maxAbsDiff(Affine()) < 1e-12);
        const Vec3 p = a.worldToVoxel(a.voxelToWorld({3.5, -1, 7}));
        QVERIFY(std::fabs(p[0] - 3.5) < 1e-9 && std::fabs(p[1] + 1) < 1e-9 &&
                std::fabs(p[2] - 7) < 1e-9);
    }

    void rasLpsFlip() {
        Affine a({{{1, 0, 0, -90}, {0, 1, 0, -125}, {0, 0, 1, -71}, {0, 0, 0, 1}}});
        QCOMPARE(a.flippedXY().axisCodes(), std::string("LPS"));
        QCOMPARE(a.flippedXY()(0, 3), 90.0);
        QVERIFY(a.flippedXY().flippedXY().maxAbsDiff(a) == 0);
    }

    void singularAffineThrows() {
        Affine a({{{1, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}});
        QVERIFY_THROWS_EXCEPTION(Error, a.inverse());
    }

    void volumeShapes() {
        Volume v(torch::zeros({2, 4, 5, 6}));
        QCOMPARE(v.channels(), int64_t(2));
        QCOMPARE(v.spatialDims(), 3);
        QCOMPARE(v.spatialShape(), (std::vector<int64_t>{4, 5, 6}));
        QVERIFY_THROWS_EXCEPTION(ShapeError, Volume(torch::zeros({4, 5})));
        QVERIFY_THROWS_EXCEPTION(ShapeError, Volume(torch::zeros({1, 2, 3, 4, 5})));
        Volume u(torch::arange(24, torch::kFloat).view({1, 2, 3, 4}));
        QCOMPARE(u.valueAt(0, 1, 2, 3), 23.0);
        QCOMPARE(u.floatData()[((0 * 2 + 1) * 3 + 2) * 4 + 3], 23.0f);
        QVERIFY_THROWS_EXCEPTION(ShapeError,
                                 Volume(torch::zeros({1, 2, 2, 2}, torch::kByte)).floatData());
    }

    void cropMovesOrigin() {
        Affine a({{{-2, 0, 0, 10}, {0, 0, 3, -254}, {0, 2, 0, 5}, {0, 0, 0, 1}}});
        Volume v(torch::arange(1000, torch::kFloat).view({1, 10, 10, 10}), a);
        Volume c = cropVolume(v, {2, 3, 4}, {5, 5, 5});
        QCOMPARE(c.spatialShape(), (std::vector<int64_t>{5, 5, 5}));
        // voxel (0,0,0) of the crop is voxel (2,3,4) of the source, same world point
        const Vec3 w0 = c.affine().voxelToWorld({0, 0, 0});
        const Vec3 w1 = a.voxelToWorld({2, 3, 4});
        for (int i = 0; i < 3; ++i)
            QCOMPARE(w0[i], w1[i]);
        QCOMPARE(c.valueAt(0, 0, 0, 0), v.valueAt(0, 2, 3, 4));
        QVERIFY_THROWS_EXCEPTION(ShapeError, cropVolume(v, {8, 0, 0}, {5, 5, 5}));
    }

    void atomicWriteKeepsThePreviousFile() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/checkpoint.pt").toStdString();
        writeTextAtomically(path, "version 1");
        // a writer that fails half-way (as on a full disk)
        try {
            writeAtomically(path, [](const std::string& tmp) {
                std::ofstream(tmp) << "half of version 2";
                throw std::runtime_error("No space left on device");
            });
            QFAIL("no error");
        } catch (const IoError& e) {
            QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(path));
            QVERIFY(QString::fromStdString(e.what()).contains("No space left"));
        }
        std::ifstream in(path);
        std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        QCOMPARE(QString::fromStdString(content), QString("version 1"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(),
                 1); // no temporary left
        writeTextAtomically(path, "version 2");
        std::ifstream in2(path);
        std::string content2((std::istreambuf_iterator<char>(in2)),
                             std::istreambuf_iterator<char>());
        QCOMPARE(QString::fromStdString(content2), QString("version 2"));
    }
};

QTEST_GUILESS_MAIN(TestVolume)
#include "test_volume.moc"
