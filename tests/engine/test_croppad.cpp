/// Crop/pad family and simple random spatial transforms: closed-form shapes
/// and affines, world positions kept, MONAI's CropForeground outputs,
/// seeded reproducibility, sampling statistics and named errors.

#include "TestSupport.h"

#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include "engine/core/Error.h"
#include "engine/core/Random.h"
#include "engine/core/Volume.h"
#include "engine/transforms/Compose.h"
#include "engine/transforms/CropOps.h"
#include "engine/transforms/RandCropByLabelClassesd.h"
#include "engine/transforms/RandFlipd.h"
#include "engine/transforms/RandRotate90d.h"
#include "engine/transforms/RandSpatialCropSamplesd.h"
#include "engine/transforms/RandSpatialCropd.h"
#include "engine/transforms/RandWeightedCropd.h"
#include "engine/transforms/SpatialCropd.h"
#include "kernels/cpu/ClassIndices.h"

using namespace medulla;

namespace {

/// An oblique affine with a non-zero origin, so that wrong origin updates show.
Affine oblique() {
    return Affine({{{0.8, 0.1, 0, -20}, {0, -1.2, 0.2, 15}, {0.05, 0, 2.5, 3}, {0, 0, 0, 1}}});
}

/// A volume whose voxel values are their flat index (+ 1000 c per channel).
Volume indexVolume(std::vector<int64_t> shape, int64_t channels = 1, Affine a = oblique()) {
    const int64_t n =
        std::accumulate(shape.begin(), shape.end(), int64_t(1), std::multiplies<int64_t>());
    std::vector<int64_t> sizes{channels};
    sizes.insert(sizes.end(), shape.begin(), shape.end());
    at::Tensor x = torch::arange(n, torch::kFloat).repeat({channels, 1});
    x += torch::arange(channels, torch::kFloat).unsqueeze(1) * 100000;
    return Volume(x.view(sizes), a);
}

/// Checks that every output voxel sits on an input voxel's world position
/// and holds its value, or `pad` when it lies outside the input. Returns the
/// number of output voxels inside the input.
int64_t checkWorld(const Volume& out, const Volume& in, double pad, QString* why) {
    const auto os = out.spatialShape(), is = in.spatialShape();
    const at::Tensor od = out.data().to(torch::kDouble).contiguous();
    const at::Tensor id = in.data().to(torch::kDouble).contiguous();
    int64_t inside = 0;
    for (int64_t i = 0; i < os[0]; ++i)
        for (int64_t j = 0; j < os[1]; ++j)
            for (int64_t k = 0; k < os[2]; ++k) {
                const Vec3 w = out.affine().voxelToWorld({double(i), double(j), double(k)});
                const Vec3 src = in.affine().worldToVoxel(w);
                int64_t idx[3];
                bool ok = true;
                for (int d = 0; d < 3; ++d) {
                    idx[d] = std::llround(src[size_t(d)]);
                    if (std::abs(src[size_t(d)] - double(idx[d])) > 1e-6) {
                        *why =
                            QString("voxel (%1,%2,%3) is off the input grid").arg(i).arg(j).arg(k);
                        return -1;
                    }
                    ok = ok && idx[d] >= 0 && idx[d] < is[size_t(d)];
                }
                for (int64_t c = 0; c < out.channels(); ++c) {
                    const double got = od[c][i][j][k].item<double>();
                    const double want = ok ? id[c][idx[0]][idx[1]][idx[2]].item<double>() : pad;
                    if (got != want) {
                        *why = QString("voxel (%1,%2,%3) holds %4, expected %5")
                                   .arg(i)
                                   .arg(j)
                                   .arg(k)
                                   .arg(got)
                                   .arg(want);
                        return -1;
                    }
                }
                inside += ok ? 1 : 0;
            }
    return inside;
}

/// Origin of `out` in input voxel coordinates (rounded).
std::vector<int64_t> startIn(const Volume& out, const Volume& in) {
    const Vec3 v = in.affine().worldToVoxel(out.affine().origin());
    std::vector<int64_t> s;
    for (int d = 0; d < in.spatialDims(); ++d)
        s.push_back(std::llround(v[size_t(d)]));
    return s;
}

Sample imageAndLabel(std::vector<int64_t> shape) {
    Sample s;
    s.volumes["image"] = indexVolume(shape);
    s.volumes["label"] = Volume(s.volumes["image"].data().fmod(3), oblique());
    return s;
}

TransformPtr make(const std::string& json) {
    return transformRegistry().create(Json::parse(json), "t");
}

/// |count - n p| within 5 binomial standard deviations (false-failure odds ~1e-6).
bool binomialOk(int64_t count, int64_t n, double p) {
    const double sd = std::sqrt(n * p * (1 - p));
    return std::abs(double(count) - n * p) <= 5 * sd + 1e-9;
}

template <class Fn> QString configErrorField(Fn fn) {
    try {
        fn();
    } catch (const ConfigError& e) {
        return QString::fromStdString(e.field());
    } catch (const std::exception& e) {
        return QString("other exception: ") + e.what();
    }
    return "no error";
}

} // namespace

class TestCropPad : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void borderPadShapesAndWorld() {
        const Volume in = indexVolume({4, 5, 3});
        QString why;
        struct Row {
            std::vector<int64_t> border, shape, start;
        };
        const std::vector<Row> rows = {{{2}, {8, 9, 7}, {-2, -2, -2}},
                                       {{1, 0, 3}, {6, 5, 9}, {-1, 0, -3}},
                                       {{1, 2, 0, 3, 4, -5}, {7, 8, 7}, {-1, 0, -4}}};
        for (const Row& r : rows) {
            const Volume out = borderPadVolume(in, r.border, "constant", -7, "BorderPad");
            QCOMPARE(out.spatialShape(), r.shape);
            QCOMPARE(startIn(out, in), r.start);
            const int64_t inside = checkWorld(out, in, -7, &why);
            QVERIFY2(inside == 4 * 5 * 3, qPrintable(why));
        }
        // Edge mode repeats the border voxel: voxel 0 of a 2-voxel start pad.
        const Volume edge = borderPadVolume(in, {2, 0, 0}, "edge", 0, "BorderPad");
        QCOMPARE(edge.spatialShape(), (std::vector<int64_t>{8, 5, 3}));
        QCOMPARE(edge.data()[0][0][3][1].item<float>(), in.data()[0][0][3][1].item<float>());
        QCOMPARE(configErrorField([&] {
                     borderPadVolume(in, {1, 2}, "constant", 0, "BorderPad");
                 }),
                 QString("BorderPad.spatial_border"));
        QCOMPARE(configErrorField(
                     [&] { make(R"({"name": "BorderPadd", "spatial_border": [1, 2, 3, 4, 5]})"); }),
                 QString("BorderPadd.spatial_border"));
        QCOMPARE(configErrorField([&] {
                     make(R"({"name": "BorderPadd", "spatial_border": 1, "mode": "mirror"})");
                 }),
                 QString("t.mode"));
    }

    void spatialCropCentreAndStartEnd() {
        const Volume in = indexVolume({10, 8, 6});
        QString why;
        // centre (5, 2, 3), size (4, 7, 3): start = max(c - s/2, 0) = (3, 0, 2),
        // end = start + size clipped = (7, 7, 5).
        Volume out = spatialCropCenter(in, {5, 2, 3}, {4, 7, 3});
        QCOMPARE(out.spatialShape(), (std::vector<int64_t>{4, 7, 3}));
        QCOMPARE(startIn(out, in), (std::vector<int64_t>{3, 0, 2}));
        QVERIFY2(checkWorld(out, in, 0, &why) == 4 * 7 * 3, qPrintable(why));
        out = spatialCropCenter(in, {9, 7, 5}, {6});
        QCOMPARE(out.spatialShape(), (std::vector<int64_t>{4, 4, 4})); // clipped at the end
        // start/end: negative start clamps to 0, end past the image clips.
        out = spatialCropStartEnd(in, {-3, 2, 1}, {4, 100, 3});
        QCOMPARE(out.spatialShape(), (std::vector<int64_t>{4, 6, 2}));
        QCOMPARE(startIn(out, in), (std::vector<int64_t>{0, 2, 1}));
        QVERIFY2(checkWorld(out, in, 0, &why) == 4 * 6 * 2, qPrintable(why));
        // The dictionary transform, on image and label alike, with a record.
        Sample s = imageAndLabel({10, 8, 6});
        RandomGenerator rng(1);
        const Sample o = make(R"({"name": "SpatialCropd", "roi_start": [1, 2, 3],
                                  "roi_end": [5, 6, 6]})")
                             ->apply(s, rng);
        QCOMPARE(o.at("label").spatialShape(), (std::vector<int64_t>{4, 4, 3}));
        QVERIFY(o.at("label").affine().maxAbsDiff(o.at("image").affine()) == 0);
        QCOMPARE(o.applied.at("label").back().name, std::string("SpatialCropd"));
        QCOMPARE(o.applied.at("label").back().shape, (std::vector<int64_t>{10, 8, 6}));
        QCOMPARE(configErrorField([&] { make(R"({"name": "SpatialCropd", "roi_center": [1]})"); }),
                 QString("SpatialCropd.roi_size"));
        QCOMPARE(configErrorField([&] {
                     make(R"({"name": "SpatialCropd", "roi_center": [1], "roi_size": [0]})");
                 }),
                 QString("SpatialCropd.roi_size"));
        QCOMPARE(configErrorField([&] { make(R"({"name": "SpatialCropd"})"); }),
                 QString("SpatialCropd.roi_center"));
    }

    /// MONAI's own outputs (shared/parity) for box, voxels and affine.
    void cropForegroundMatchesMonai() {
        for (const char* id : {"tf_cropforeground_12", "tf_cropforeground_13",
                               "tf_cropforeground_14", "tf_cropforeground_15"}) {
            const Json c = test::parityCase(id);
            const Json& p = c["params"];
            auto ints = [&](const char* key, int64_t fallback) {
                if (!p.contains(key))
                    return std::vector<int64_t>{fallback};
                return p[key].is_array() ? p[key].get<std::vector<int64_t>>()
                                         : std::vector<int64_t>{p[key].get<int64_t>()};
            };
            const at::Tensor aff = test::parityArray(c, "inputs", "affine").to(torch::kDouble);
            Affine a;
            for (int r = 0; r < 4; ++r)
                for (int k = 0; k < 4; ++k)
                    a(r, k) = aff[r][k].item<double>();
            const Volume in(test::parityArray(c, "inputs", "img"), a);
            CropBox box;
            const Volume out =
                cropForegroundVolume(in, {}, ints("margin", 0), p.value("allow_smaller", true),
                                     ints("k_divisible", 1), "constant", 0, "CropForeground", &box);
            QCOMPARE(box.start, c["outputs"]["box_start"].get<std::vector<int64_t>>());
            QCOMPARE(box.end, c["outputs"]["box_end"].get<std::vector<int64_t>>());
            std::string why;
            QVERIFY2(test::allClose(out.data(), test::parityArray(c, "outputs", "img"), 1e-5, 1e-4,
                                    &why),
                     (std::string(id) + ": " + why).c_str());
            const at::Tensor want = test::parityArray(c, "outputs", "affine");
            for (int r = 0; r < 4; ++r)
                for (int k = 0; k < 4; ++k)
                    QVERIFY(std::abs(out.affine()(r, k) - want[r][k].item<double>()) < 1e-6);
        }
    }

    /// foregroundBox against a brute-force box on random masks; selected
    /// channels, empty foreground, and the dictionary transform.
    void cropForegroundBruteForce() {
        torch::manual_seed(3);
        for (int trial = 0; trial < 20; ++trial) {
            const at::Tensor img = (torch::rand({2, 9, 11, 7}) > 0.985).to(torch::kFloat) -
                                   0.5 * (torch::rand({2, 9, 11, 7}) > 0.5).to(torch::kFloat);
            const std::vector<int64_t> margin{trial % 3, 1, 0}, k{1, 4, trial % 5};
            const bool allowSmaller = trial % 2 == 0;
            const auto acc = img.accessor<float, 4>();
            int64_t lo[3] = {100, 100, 100}, hi[3] = {-1, -1, -1};
            for (int64_t x = 0; x < 9; ++x)
                for (int64_t y = 0; y < 11; ++y)
                    for (int64_t z = 0; z < 7; ++z)
                        if (acc[0][x][y][z] > 0 || acc[1][x][y][z] > 0) {
                            const int64_t v[3] = {x, y, z};
                            for (int d = 0; d < 3; ++d) {
                                lo[d] = std::min(lo[d], v[d]);
                                hi[d] = std::max(hi[d], v[d]);
                            }
                        }
            const int64_t shape[3] = {9, 11, 7};
            const CropBox box = foregroundBox(img, {}, margin, allowSmaller, k, "CropForeground");
            for (int d = 0; d < 3; ++d) {
                int64_t s = lo[d] - margin[size_t(d)], e = hi[d] + margin[size_t(d)] + 1;
                if (allowSmaller)
                    s = std::max<int64_t>(s, 0), e = std::min(e, shape[d]);
                const int64_t kd = std::max<int64_t>(k[size_t(d)], 1);
                const int64_t grown = (e - s + kd - 1) / kd * kd;
                s -= (grown - (e - s)) / 2;
                QCOMPARE(box.start[size_t(d)], s);
                QCOMPARE(box.end[size_t(d)], s + grown);
            }
            QString why;
            const Volume in(img, oblique());
            const Volume out = cropPadToBox(in, box, "constant", -3, "CropForeground");
            QVERIFY2(checkWorld(out, in, -3, &why) >= 0, qPrintable(why));
        }
        // Only channel 1 counts: a voxel in channel 0 alone is ignored.
        at::Tensor img = torch::zeros({2, 6, 6, 6});
        img[0][0][0][0] = 1;
        img[1][2][3][4] = 1;
        CropBox box = foregroundBox(img, {1}, {0}, true, {1}, "c");
        QCOMPARE(box.start, (std::vector<int64_t>{2, 3, 4}));
        QCOMPARE(box.end, (std::vector<int64_t>{3, 4, 5}));
        box = foregroundBox(img, {}, {0}, true, {1}, "c");
        QCOMPARE(box.start, (std::vector<int64_t>{0, 0, 0}));
        // No foreground: an empty box and a zero-sized volume, like MONAI.
        box = foregroundBox(torch::zeros({1, 4, 4, 4}), {}, {2}, true, {4}, "c");
        QCOMPARE(box.end, (std::vector<int64_t>{0, 0, 0}));
        // The dictionary transform crops every key by the source key's box.
        Sample s;
        s.volumes["image"] = Volume(img, oblique());
        s.volumes["label"] = Volume(img.narrow(0, 1, 1).clone(), oblique());
        RandomGenerator rng;
        const Sample o = make(R"({"name": "CropForegroundd", "source_key": "label",
                                  "margin": [1, 0, 2], "k_divisible": 2})")
                             ->apply(s, rng);
        // Box (1..4, 3..4, 2..6) after margin and clipping; sizes (3, 1, 4)
        // grown to multiples of 2: (4, 2, 4), extra voxels at the end.
        QCOMPARE(o.at("image").spatialShape(), (std::vector<int64_t>{4, 2, 4}));
        QCOMPARE(startIn(o.at("image"), s.at("image")), (std::vector<int64_t>{1, 3, 2}));
        QVERIFY(o.at("image").affine().maxAbsDiff(o.at("label").affine()) == 0);
        QCOMPARE(o.applied.at("image").back().name, std::string("CropForegroundd"));
        QCOMPARE(configErrorField([&] {
                     make(R"({"name": "CropForegroundd", "source_key": "image", "margin": -1})");
                 }),
                 QString("t.margin"));
    }

    void resizeWithPadOrCrop() {
        const Volume in = indexVolume({5, 8, 3});
        QString why;
        // Axis 0 padded 5 -> 8 (1 before, 2 after), axis 1 cropped 8 -> 3 around
        // the centre (start 4 - 1 = 3), axis 2 kept.
        Volume out = resizeWithPadOrCropVolume(in, {8, 3, -1}, "symmetric", "constant", 9, "R");
        QCOMPARE(out.spatialShape(), (std::vector<int64_t>{8, 3, 3}));
        QCOMPARE(startIn(out, in), (std::vector<int64_t>{-1, 3, 0}));
        QVERIFY2(checkWorld(out, in, 9, &why) == 5 * 3 * 3, qPrintable(why));
        out = resizeWithPadOrCropVolume(in, {8, 3, -1}, "end", "constant", 9, "R");
        QCOMPARE(startIn(out, in), (std::vector<int64_t>{0, 3, 0}));
        QCOMPARE(configErrorField([&] {
                     make(
                         R"({"name": "ResizeWithPadOrCropd", "spatial_size": 4, "method": "mid"})");
                 }),
                 QString("t.method"));
    }

    /// Every random transform: the same seed gives the same output, another
    /// seed (one of several) a different one.
    void randomTransformsAreSeeded() {
        const std::vector<std::string> configs = {
            R"({"name": "RandSpatialCropd", "roi_size": [4, 5, 3], "random_size": true})",
            R"({"name": "RandSpatialCropSamplesd", "roi_size": [4, 3, 3], "num_samples": 3})",
            R"({"name": "RandCropByLabelClassesd", "spatial_size": [3, 3, 3], "num_classes": 3,
                "ratios": [1, 2, 3], "num_samples": 2})",
            R"({"name": "RandWeightedCropd", "w_key": "image", "spatial_size": [3, 4, 3],
                "num_samples": 2})",
            R"({"name": "RandFlipd", "prob": 0.5, "spatial_axis": [1]})",
            R"({"name": "RandRotate90d", "prob": 0.5, "spatial_axes": [0, 2]})"};
        const Sample s = imageAndLabel({9, 10, 8});
        auto run = [&](const TransformPtr& t, uint64_t seed) {
            RandomGenerator rng(seed);
            std::vector<at::Tensor> parts;
            for (int rep = 0; rep < 3; ++rep)
                for (const Sample& o : t->applyMany(s, rng))
                    for (const auto& key : {"image", "label"}) {
                        const Volume& v = o.at(key);
                        parts.push_back(v.data().flatten());
                        parts.push_back(torch::tensor(v.affine().voxelToWorld({0, 0, 0}).at(0)));
                    }
            return parts;
        };
        auto same = [](const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
            if (a.size() != b.size())
                return false;
            for (size_t i = 0; i < a.size(); ++i)
                if (!a[i].sizes().equals(b[i].sizes()) || !torch::equal(a[i], b[i]))
                    return false;
            return true;
        };
        for (const std::string& cfg : configs) {
            const TransformPtr t = make(cfg);
            QVERIFY2(t->isRandom(), cfg.c_str());
            QVERIFY2(same(run(t, 42), run(t, 42)), cfg.c_str());
            bool differs = false;
            for (uint64_t seed = 1; seed < 6 && !differs; ++seed)
                differs = !same(run(t, 42), run(t, seed));
            QVERIFY2(differs, cfg.c_str());
        }
    }

    /// Centres of RandCropByLabelClassesd follow the ratios (1x1x1 patches
    /// show the centre's class), for index and one-hot labels; a class with
    /// no voxels is never chosen.
    void labelClassesFollowRatios() {
        torch::manual_seed(5);
        const at::Tensor cls = torch::randint(0, 3, {1, 7, 6, 5}).to(torch::kFloat); // no class 3
        const std::vector<double> ratios{1, 2, 3, 4};
        const double live = 1 + 2 + 3; // class 3 is absent: its ratio becomes 0
        for (const bool oneHot : {false, true}) {
            Sample s;
            s.volumes["label"] =
                oneHot ? Volume(torch::cat({cls.eq(0), cls.eq(1), cls.eq(2), cls.eq(3)}, 0)
                                    .to(torch::kFloat),
                                oblique())
                       : Volume(cls, oblique());
            s.volumes["image"] = Volume(cls, oblique());
            auto t = std::make_shared<RandCropByLabelClassesd>(RandCropByLabelClassesdOptions()
                                                                   .spatial_size({1, 1, 1})
                                                                   .ratios(ratios)
                                                                   .num_classes(oneHot ? 0 : 4)
                                                                   .num_samples(8));
            RandomGenerator rng(11);
            const int64_t draws = 500;
            int64_t counts[4] = {0, 0, 0, 0};
            for (int64_t i = 0; i < draws; ++i)
                for (const Sample& o : t->applyMany(s, rng)) {
                    QCOMPARE(o.at("image").spatialShape(), (std::vector<int64_t>{1, 1, 1}));
                    ++counts[int(o.at("image").data().item<float>())];
                }
            const int64_t n = draws * 8;
            for (int c = 0; c < 3; ++c)
                QVERIFY2(binomialOk(counts[c], n, ratios[size_t(c)] / live),
                         qPrintable(QString("class %1: %2 of %3").arg(c).arg(counts[c]).arg(n)));
            QCOMPARE(counts[3], int64_t(0));
        }
        // The kernel against a brute-force reference, with an image mask.
        const at::Tensor img = torch::rand({2, 7, 6, 5});
        const auto idx = kernels::mapClassIndices(cls, 4, img, 0.5);
        QCOMPARE(idx.size(), size_t(4));
        const at::Tensor valid = (img > 0.5).any(0).flatten();
        const at::Tensor flat = cls.flatten();
        for (int64_t c = 0; c < 4; ++c) {
            std::vector<int64_t> want;
            for (int64_t i = 0; i < flat.numel(); ++i)
                if (flat[i].item<float>() == float(c) && valid[i].item<bool>())
                    want.push_back(i);
            QCOMPARE(idx[size_t(c)], want);
        }
        // Several chunks of the threaded kernel (> 65536 voxels), both label
        // kinds, against torch's nonzero.
        at::set_num_threads(2);
        const at::Tensor bigCls = torch::randint(0, 5, {1, 50, 47, 61}).to(torch::kFloat);
        const at::Tensor bigImg = torch::rand({1, 50, 47, 61});
        const at::Tensor bigOneHot = torch::rand({3, 50, 47, 61}) > 0.6;
        const auto byIndex = kernels::mapClassIndices(bigCls, 5, bigImg, 0.3);
        const auto byChannel = kernels::mapClassIndices(bigOneHot, 0);
        QCOMPARE(byChannel.size(), size_t(3));
        auto asVector = [](const at::Tensor& mask) {
            const at::Tensor nz = mask.flatten().nonzero().flatten().contiguous();
            return std::vector<int64_t>(nz.data_ptr<int64_t>(),
                                        nz.data_ptr<int64_t>() + nz.numel());
        };
        for (int64_t c = 0; c < 5; ++c)
            QVERIFY(byIndex[size_t(c)] == asVector(bigCls.eq(c) & (bigImg > 0.3)));
        for (int64_t c = 0; c < 3; ++c)
            QVERIFY(byChannel[size_t(c)] == asVector(bigOneHot[c]));
        // Patches near the border move inward and never leave the image.
        auto big = std::make_shared<RandCropByLabelClassesd>(
            RandCropByLabelClassesdOptions().spatial_size({5, 4, 5}).num_classes(3).num_samples(
                20));
        Sample s;
        s.volumes["label"] = Volume(cls, oblique());
        s.volumes["image"] = indexVolume({7, 6, 5});
        RandomGenerator rng(2);
        QString why;
        for (const Sample& o : big->applyMany(s, rng)) {
            QCOMPARE(o.at("image").spatialShape(), (std::vector<int64_t>{5, 4, 5}));
            QVERIFY2(checkWorld(o.at("image"), s.at("image"), 0, &why) == 100, qPrintable(why));
        }
        // A patch larger than the image fails unless allow_smaller.
        auto tooBig = std::make_shared<RandCropByLabelClassesd>(
            RandCropByLabelClassesdOptions().spatial_size({8, 4, 4}).num_classes(3));
        QVERIFY_THROWS_EXCEPTION(ShapeError, tooBig->applyMany(s, rng));
        auto smaller = std::make_shared<RandCropByLabelClassesd>(
            RandCropByLabelClassesdOptions().spatial_size({8, 4, 4}).num_classes(3).allow_smaller(
                true));
        QCOMPARE(smaller->apply(s, rng).at("image").spatialShape(),
                 (std::vector<int64_t>{7, 4, 4}));
        QCOMPARE(configErrorField([&] {
                     RandCropByLabelClassesd(RandCropByLabelClassesdOptions().ratios({1, -1}));
                 }),
                 QString("RandCropByLabelClassesd.ratios"));
        QCOMPARE(configErrorField([&] {
                     RandCropByLabelClassesd(RandCropByLabelClassesdOptions()).applyMany(s, rng);
                 }),
                 QString("RandCropByLabelClassesd.num_classes"));
        QCOMPARE(configErrorField([&] {
                     RandCropByLabelClassesd(
                         RandCropByLabelClassesdOptions().num_classes(3).ratios({1, 1, 1, 1}));
                 }),
                 QString("RandCropByLabelClassesd.ratios"));
    }

    /// Centres of RandWeightedCropd follow the weight map inside the region
    /// where the patch fits; weights outside it never count.
    void weightedCentresFollowWeights() {
        at::Tensor w = torch::zeros({1, 8, 8, 8});
        w[0][2][3][4] = 1;
        w[0][5][5][5] = 3;
        w[0][0][0][0] = 100; // a patch of 3 cannot be centred here
        Sample s;
        s.volumes["image"] = indexVolume({8, 8, 8});
        s.volumes["weight"] = Volume(w, oblique());
        auto t = std::make_shared<RandWeightedCropd>(
            RandWeightedCropdOptions().keys({"image"}).spatial_size({3}).num_samples(4));
        RandomGenerator rng(9);
        int64_t hits = 0, total = 0;
        QString why;
        for (int i = 0; i < 500; ++i)
            for (const Sample& o : t->applyMany(s, rng)) {
                const auto start = startIn(o.at("image"), s.at("image"));
                const std::vector<int64_t> a{1, 2, 3}, b{4, 4, 4};
                QVERIFY(start == a || start == b);
                hits += start == b ? 1 : 0;
                ++total;
            }
        QVERIFY2(binomialOk(hits, total, 0.75), qPrintable(QString::number(hits)));
        // All-zero weights inside the valid region: uniform over its centres,
        // which are 1..5 (MONAI's 'valid' slice [w/2, m - w + w/2)).
        at::Tensor edge = torch::zeros({1, 8, 8, 8});
        edge[0][0][0][0] = 5;
        const auto centres = weightedPatchCenters(edge[0], {3}, 4000, rng, "w");
        std::map<int64_t, int64_t> perX;
        for (const auto& c : centres) {
            for (int64_t v : c)
                QVERIFY(v >= 1 && v <= 5);
            ++perX[c[0]];
        }
        QCOMPARE(perX.size(), size_t(5));
        for (const auto& kv : perX)
            QVERIFY2(binomialOk(kv.second, 4000, 1.0 / 5), qPrintable(QString::number(kv.second)));
        // A patch larger than the map keeps the whole axis.
        auto wide = std::make_shared<RandWeightedCropd>(
            RandWeightedCropdOptions().keys({"image"}).spatial_size({12, 3, -1}));
        const Sample o = wide->apply(s, rng);
        QCOMPARE(o.at("image").spatialShape(), (std::vector<int64_t>{8, 3, 8}));
        QVERIFY2(checkWorld(o.at("image"), s.at("image"), 0, &why) == 8 * 3 * 8, qPrintable(why));
        QCOMPARE(configErrorField([&] {
                     RandWeightedCropd(RandWeightedCropdOptions().spatial_size({4}).num_samples(0));
                 }),
                 QString("RandWeightedCropd.num_samples"));
    }

    /// RandFlipd flips about prob of the time; RandRotate90d draws k
    /// uniformly from 1..max_k; outputs keep world positions.
    void flipAndRotateFrequencies() {
        const Sample s = imageAndLabel({4, 5, 6});
        RandomGenerator rng(4);
        RandFlipd flip(RandFlipdOptions().prob(0.3).spatial_axis({0, 2}));
        int64_t flipped = 0;
        QString why;
        for (int i = 0; i < 2000; ++i) {
            const Sample o = flip.apply(s, rng);
            const bool changed = o.at("image").affine().maxAbsDiff(s.at("image").affine()) > 0;
            flipped += changed ? 1 : 0;
            QCOMPARE(o.applied.count("label") ? o.applied.at("label").size() : size_t(0),
                     size_t(changed ? 1 : 0));
            if (i < 20)
                QVERIFY2(checkWorld(o.at("label"), s.at("label"), 0, &why) == 120, qPrintable(why));
        }
        QVERIFY2(binomialOk(flipped, 2000, 0.3), qPrintable(QString::number(flipped)));

        RandRotate90d rot(RandRotate90dOptions().prob(1.0).max_k(3).spatial_axes({1, 2}));
        std::map<std::vector<int64_t>, int64_t> shapes;
        int64_t k2 = 0;
        for (int i = 0; i < 1500; ++i) {
            const Sample o = rot.apply(s, rng);
            ++shapes[o.at("image").spatialShape()];
            // Only k = 2 keeps the shape (4, 5, 6); k = 1, 3 give (4, 6, 5).
            k2 += o.at("image").spatialShape()[1] == 5 ? 1 : 0;
            if (i < 10)
                QVERIFY2(checkWorld(o.at("image"), s.at("image"), 0, &why) == 120, qPrintable(why));
        }
        QCOMPARE(shapes.size(), size_t(2));
        QVERIFY2(binomialOk(k2, 1500, 1.0 / 3), qPrintable(QString::number(k2)));
        RandRotate90d never(RandRotate90dOptions().prob(0));
        QCOMPARE(never.apply(s, rng).applied.size(), size_t(0));
        QCOMPARE(configErrorField([&] { make(R"({"name": "RandFlipd", "prob": 1.5})"); }),
                 QString("t.prob"));
        QCOMPARE(configErrorField([] { RandRotate90d(RandRotate90dOptions().max_k(0)); }),
                 QString("RandRotate90d.max_k"));
        QCOMPARE(configErrorField([] {
                     RandRotate90d(RandRotate90dOptions().spatial_axes({1, 1}));
                 }),
                 QString("RandRotate90d.spatial_axes"));
    }

    /// RandSpatialCropd/RandSpatialCropSamplesd: sizes within [roi, max],
    /// boxes inside the image, every key cropped alike, world kept.
    void randomSpatialCropsStayInside() {
        const Sample s = imageAndLabel({9, 7, 6});
        RandomGenerator rng(8);
        QString why;
        RandSpatialCropd sized(RandSpatialCropdOptions()
                                   .roi_size({3, 2, -1})
                                   .max_roi_size({6, 7, -1})
                                   .random_size(true));
        std::map<int64_t, int64_t> sizes0;
        for (int i = 0; i < 300; ++i) {
            const Sample o = sized.apply(s, rng);
            const auto shape = o.at("image").spatialShape();
            QVERIFY(shape[0] >= 3 && shape[0] <= 6 && shape[1] >= 2 && shape[1] <= 7);
            QCOMPARE(shape[2], int64_t(6));
            ++sizes0[shape[0]];
            const auto start = startIn(o.at("image"), s.at("image"));
            for (size_t d = 0; d < 3; ++d)
                QVERIFY(start[d] >= 0 && start[d] + shape[d] <= s.at("image").spatialShape()[d]);
            QVERIFY(o.at("label").affine().maxAbsDiff(o.at("image").affine()) == 0);
            if (i < 10)
                QVERIFY2(checkWorld(o.at("image"), s.at("image"), 0, &why) ==
                             shape[0] * shape[1] * shape[2],
                         qPrintable(why));
        }
        QCOMPARE(sizes0.size(), size_t(4)); // 3, 4, 5, 6 all drawn
        // Not random_center: the centre box, like CenterSpatialCrop.
        RandSpatialCropd centred(
            RandSpatialCropdOptions().roi_size({4, 20, 3}).random_center(false));
        const Sample c = centred.apply(s, rng);
        QCOMPARE(c.at("image").spatialShape(), (std::vector<int64_t>{4, 7, 3}));
        QCOMPARE(startIn(c.at("image"), s.at("image")), (std::vector<int64_t>{2, 0, 2}));
        // Samples: num_samples outputs, each recorded once per key.
        RandSpatialCropSamplesd samples(
            RandSpatialCropSamplesdOptions().roi_size({4, 4, 4}).num_samples(5));
        const auto outs = samples.applyMany(s, rng);
        QCOMPARE(outs.size(), size_t(5));
        std::set<std::vector<int64_t>> starts;
        for (const Sample& o : outs) {
            QCOMPARE(o.applied.at("image").size(), size_t(1));
            QCOMPARE(o.applied.at("image").back().name, std::string("RandSpatialCropSamplesd"));
            QVERIFY(o.at("label").affine().maxAbsDiff(o.at("image").affine()) == 0);
            starts.insert(startIn(o.at("image"), s.at("image")));
        }
        QVERIFY(starts.size() > 1);
        QCOMPARE(configErrorField([] {
                     RandSpatialCropSamplesd(
                         RandSpatialCropSamplesdOptions().roi_size({4}).num_samples(0));
                 }),
                 QString("RandSpatialCropSamplesd.num_samples"));
        QCOMPARE(
            configErrorField([] {
                RandSpatialCropd(
                    RandSpatialCropdOptions().roi_size({5}).max_roi_size({4}).random_size(true));
            }),
            QString("RandSpatialCropd.max_roi_size"));
        QCOMPARE(
            configErrorField([] { make(R"({"name": "RandSpatialCropSamplesd", "roi_size": 4})"); }),
            QString("t.num_samples"));
    }

    /// Every transform of this family is registered and reads back what it writes.
    void jsonRoundTrip() {
        const Json pipeline = Json::parse(R"([
            {"name": "BorderPadd", "spatial_border": [1, 2, 3], "mode": "edge"},
            {"name": "SpatialCropd", "roi_center": [4, 4, 4], "roi_size": [6, 6, 7]},
            {"name": "CropForegroundd", "source_key": "image", "margin": 1, "k_divisible": [2, 2, 1],
             "allow_smaller": false},
            {"name": "ResizeWithPadOrCropd", "spatial_size": [6, 5, -1], "method": "end"},
            {"name": "RandFlipd", "prob": 0.5, "spatial_axis": 0},
            {"name": "RandRotate90d", "prob": 0.5, "max_k": 2},
            {"name": "RandSpatialCropd", "roi_size": [4, 3, 2], "max_roi_size": [5, 5, 5],
             "random_size": true},
            {"name": "RandWeightedCropd", "w_key": "label", "spatial_size": [3, 3, 2],
             "num_samples": 2},
            {"name": "RandSpatialCropSamplesd", "roi_size": [2, 2, 2], "num_samples": 2},
            {"name": "RandCropByLabelClassesd", "spatial_size": [1, 1, 1], "num_classes": 3,
             "ratios": [1, 1, 1], "num_samples": 2, "max_samples_per_class": 10}])");
        const Compose c = Compose::fromJson(pipeline, "train_transforms");
        QCOMPARE(Compose::fromJson(c.toJson(), "again").toJson(), c.toJson());
        for (size_t i = 0; i < pipeline.size(); ++i)
            for (const auto& kv : pipeline[i].items())
                QVERIFY2(c.toJson()[i].contains(kv.key()), kv.key().c_str());
        Sample s = imageAndLabel({8, 7, 6});
        RandomGenerator rng(3);
        const std::vector<Sample> out = c(s, rng);
        QCOMPARE(out.size(), size_t(8)); // 2 x 2 x 2 samples
        for (const Sample& o : out) {
            QCOMPARE(o.at("image").spatialShape(), (std::vector<int64_t>{1, 1, 1}));
            QVERIFY(o.applied.at("image").size() >= 8);
        }
    }
};

QTEST_GUILESS_MAIN(TestCropPad)
#include "test_croppad.moc"
