/// Resampling kernel and spatial transforms against closed-form results:
/// world positions kept (linear ramps in world space survive every spatial
/// transform), padding and B-spline semantics, Invertd round trips, seeded
/// reproducibility and statistics of the random transforms, bad parameters.

#include <QtTest>
#include <torch/torch.h>

#include <cmath>
#include <set>
#include <thread>

#include "engine/core/Error.h"
#include "engine/transforms/Compose.h"
#include "engine/transforms/ResampleOps.h"
#include "kernels/cpu/LabelIndices.h"
#include "kernels/cpu/Resample.h"

using namespace medulla;

namespace {

/// The ramp 0.3 x - 0.2 y + 0.1 z + 5 evaluated at v's voxel centres.
at::Tensor rampOn(const Volume& v) {
    const auto s = v.spatialShape();
    at::Tensor out = torch::empty({1, s[0], s[1], s[2]});
    auto acc = out.accessor<float, 4>();
    for (int64_t i = 0; i < s[0]; ++i)
        for (int64_t j = 0; j < s[1]; ++j)
            for (int64_t k = 0; k < s[2]; ++k) {
                const Vec3 w = v.affine().voxelToWorld({double(i), double(j), double(k)});
                acc[0][i][j][k] = float(0.3 * w[0] - 0.2 * w[1] + 0.1 * w[2] + 5.0);
            }
    return out;
}

/// A (1, X, Y, Z) volume whose value is a linear function of world position.
Volume worldRamp(const std::vector<int64_t>& shape, const Affine& a) {
    Volume v(torch::zeros({1, shape[0], shape[1], shape[2]}), a);
    return Volume(rampOn(v), a);
}

/// Largest |v - ramp| over the voxels at least `margin` from every face.
double interiorRampError(const Volume& v, int64_t margin) {
    const auto s = v.spatialShape();
    const at::Tensor d = (v.data().to(torch::kFloat) - rampOn(v)).abs();
    return d.slice(1, margin, s[0] - margin)
        .slice(2, margin, s[1] - margin)
        .slice(3, margin, s[2] - margin)
        .max()
        .item<double>();
}

/// Rotated about z by 0.3 rad, spacing (0.9, 1.1, 2.0): orthogonal axes.
const Affine kRotated({{{0.9 * 0.9553365, -1.1 * 0.2955202, 0, -20},
                        {0.9 * 0.2955202, 1.1 * 0.9553365, 0, 15},
                        {0, 0, 2.0, 3},
                        {0, 0, 0, 1}}});
/// Oblique and sheared (non-orthogonal axes).
const Affine
    kOblique({{{0.9, 0.1, 0, -20}, {-0.1, 1.1, 0.2, 15}, {0.05, 0, 2.0, 3}, {0, 0, 0, 1}}});

Sample sampleOf(const Volume& image) {
    Sample s;
    s.volumes["image"] = image;
    return s;
}

} // namespace

class TestSpatial : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void spatialTransformsKeepWorldPositions() {
        const Volume v = worldRamp({24, 20, 16}, kOblique);
        const GridMode linear{kernels::Interp::Linear, kernels::Padding::Border, false};
        SpacingParams sp;
        sp.pixdim = {0.7, 1.3, 1.1};
        QVERIFY(interiorRampError(spacingVolume(worldRamp({24, 20, 16}, kRotated), sp, "t"), 2) <
                1e-3);
        // Sheared axes: the output grid keeps the rotation, so stay well inside.
        QVERIFY(interiorRampError(spacingVolume(v, sp, "t"), 6) < 1e-3);
        QVERIFY(interiorRampError(orientationVolume(v, "PIL", "t"), 0) < 1e-4);
        QVERIFY(interiorRampError(rotateVolume(v, {0.1, -0.05, 0.2}, true, linear, "t"), 4) < 1e-3);
        AffineParams ap;
        ap.rotate = {0.05, 0.0, -0.1};
        ap.scale = {1.1, 0.9, 1.0};
        ap.translate = {1.0, -0.5, 0.5};
        QVERIFY(interiorRampError(affineVolume(v, ap, linear, nullptr, "t"), 4) < 1e-3);
        QVERIFY(interiorRampError(
                    zoomVolume(v, {1.3}, "trilinear", "edge", std::nullopt, false, "t"), 2) < 1e-3);
        QVERIFY(interiorRampError(
                    resizeVolume(v, {30, 15, 20}, "all", "trilinear", std::nullopt, false, {}, "t"),
                    2) < 1e-3);
        // Nearest B-spline and linear agree on a linear function.
        const GridMode spline{kernels::Interp::BSpline, kernels::Padding::Border, false};
        QVERIFY(interiorRampError(rotateVolume(v, {0.1, 0, 0}, true, spline, "t"), 5) < 1e-3);
    }

    /// Padding modes of the kernel on a 1D-like shift (out[i] = in[i + 7.25]).
    void paddingModesMatchGridSample() {
        const at::Tensor in = torch::arange(10, torch::kFloat).view({1, 10, 1, 1});
        std::vector<double> shift = {1, 0, 0, 7.25, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
        auto run = [&](kernels::Padding p, bool align) {
            return kernels::resampleAffine(in, {5, 1, 1}, shift,
                                           {kernels::Interp::Linear, p, align})
                .flatten();
        };
        // Sample points 7.25, 8.25, 9.25, 10.25, 11.25.
        const at::Tensor zeros = run(kernels::Padding::Zeros, false);
        QCOMPARE(zeros[0].item<float>(), 7.25f);
        QCOMPARE(zeros[2].item<float>(), 9.0f * 0.75f); // tap 10 is outside: 0
        QCOMPARE(zeros[4].item<float>(), 0.0f);
        const at::Tensor border = run(kernels::Padding::Border, false);
        QCOMPARE(border[3].item<float>(), 9.0f);
        // Reflection about 9.5 (align false): 10.25 -> 8.75; about 9 (true): 10.25 -> 7.75.
        QCOMPARE(run(kernels::Padding::Reflection, false)[3].item<float>(), 8.75f);
        QCOMPARE(run(kernels::Padding::Reflection, true)[3].item<float>(), 7.75f);
        // Nearest rounds halves like torch 1.13's grid_sample: away from zero
        // in 3D, to even in 2D.
        std::vector<double> half = {1, 0, 0, 2.5, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
        const kernels::ResampleOptions nearest{kernels::Interp::Nearest, kernels::Padding::Zeros,
                                               false};
        QCOMPARE(kernels::resampleAffine(in, {1, 1, 1}, half, nearest).item<float>(), 3.0f);
        std::vector<double> half2d = {1, 0, 2.5, 0, 1, 0, 0, 0, 1};
        QCOMPARE(
            kernels::resampleAffine(in.view({1, 10, 1}), {1, 1}, half2d, nearest).item<float>(),
            2.0f);
    }

    /// Cubic B-splines interpolate the samples and reproduce cubics away
    /// from the mirrored borders.
    void bsplineInterpolatesAndReproducesCubics() {
        const int64_t n = 48;
        at::Tensor x = torch::arange(n, torch::kDouble);
        at::Tensor f = (0.001 * x.pow(3) - 0.05 * x.square() + 0.3 * x).view({1, n, 1, 1});
        const kernels::ResampleOptions o{kernels::Interp::BSpline, kernels::Padding::Border, false};
        std::vector<double> id = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
        const at::Tensor same = kernels::resampleAffine(f, {n, 1, 1}, id, o).to(torch::kDouble);
        QVERIFY((same - f).abs().max().item<double>() < 1e-5);
        std::vector<double> shifted = id;
        shifted[3] = 0.37;
        const at::Tensor s = kernels::resampleAffine(f, {n, 1, 1}, shifted, o).flatten();
        for (int64_t i = 15; i < 30; ++i) {
            const double xi = double(i) + 0.37;
            const double want = 0.001 * xi * xi * xi - 0.05 * xi * xi + 0.3 * xi;
            QVERIFY(std::fabs(s[i].item<double>() - want) < 1e-4);
        }
    }

    /// Orientation, spacing, flip, rotate90, pad and crop all undo exactly.
    void invertdRoundTripIsExact() {
        at::Tensor label = (torch::rand({1, 12, 10, 8}) * 4).floor();
        const Affine a({{{-0.8, 0, 0, 10}, {0, -0.9, 0, 20}, {0, 0, 1.5, -30}, {0, 0, 0, 1}}});
        Sample s;
        s.volumes["label"] = Volume(label, a);
        const Compose c = Compose::fromJson(Json::parse(R"([
            {"name": "Orientationd", "keys": ["label"], "axcodes": "RAS"},
            {"name": "Spacingd", "keys": ["label"], "pixdim": [0.4, 0.45, 0.75], "mode": "nearest"},
            {"name": "Flipd", "keys": ["label"], "spatial_axis": [1]},
            {"name": "Rotate90d", "keys": ["label"], "k": 1},
            {"name": "SpatialPadd", "keys": ["label"], "spatial_size": [30, 30, 30]}])"),
                                            "pre");
        RandomGenerator rng(1);
        Sample t = c(s, rng).front();
        QCOMPARE(t.applied["label"].size(), size_t(5));
        t.volumes["pred"] = Volume(t.at("label").data().clone());
        const Compose inv = Compose::fromJson(
            Json::parse(R"([{"name": "Invertd", "keys": ["pred"], "orig_keys": ["label"]}])"),
            "post");
        const Sample back = inv(t, rng).front();
        QVERIFY(torch::equal(back.at("pred").data().to(torch::kFloat), label));
        QVERIFY(back.at("pred").affine().maxAbsDiff(a) < 1e-9);
    }

    void randomTransformsAreSeeded() {
        const Volume v = worldRamp({20, 18, 16}, kOblique);
        for (
            const char* json :
            {R"({"name": "RandAffined", "keys": ["image"], "prob": 1, "rotate_range": [0.3, 0.2, 0.1], "scale_range": [0.1], "translate_range": [[-2, 2]]})",
             R"({"name": "RandRotated", "keys": ["image"], "prob": 1, "range_x": 0.4, "range_z": [0.1, 0.3]})",
             R"({"name": "RandZoomd", "keys": ["image"], "prob": 1, "min_zoom": 0.8, "max_zoom": 1.3, "mode": "trilinear"})",
             R"({"name": "Rand3DElasticd", "keys": ["image"], "prob": 1, "sigma_range": [2, 3], "magnitude_range": [1, 2]})"}) {
            Compose c = Compose::fromJson(Json::array({Json::parse(json)}), "t");
            QCOMPARE(Compose::fromJson(c.toJson(), "t").toJson(), c.toJson());
            c.setRandomState(42);
            const at::Tensor a = c.run(sampleOf(v), 7).front().at("image").data();
            const at::Tensor b = c.run(sampleOf(v), 7).front().at("image").data();
            const at::Tensor other = c.run(sampleOf(v), 8).front().at("image").data();
            QVERIFY2(torch::equal(a, b), json);
            QVERIFY2(!a.sizes().equals(other.sizes()) || !torch::equal(a, other), json);
            // Applied transforms keep world positions: the ramp survives (not elastic).
            if (std::string(json).find("Elastic") == std::string::npos)
                QVERIFY2(interiorRampError(c.run(sampleOf(v), 9).front().at("image"), 5) < 1e-3,
                         json);
        }
    }

    /// Results depend on the item key only, not on threads or other items.
    void composeRunIsIndependentOfWorkers() {
        Compose c = Compose::fromJson(Json::parse(R"([
            {"name": "RandRotated", "keys": ["image"], "prob": 0.5, "range_x": 0.5},
            {"name": "RandZoomd", "keys": ["image"], "prob": 0.5}])"),
                                      "t");
        c.setRandomState(3);
        const Volume v = worldRamp({10, 10, 10}, Affine());
        std::vector<at::Tensor> serial, threaded(6);
        for (uint64_t k = 0; k < 6; ++k)
            serial.push_back(c.run(sampleOf(v), k).front().at("image").data());
        std::vector<std::thread> pool;
        for (uint64_t k = 6; k-- > 0;)
            pool.emplace_back(
                [&, k] { threaded[k] = c.run(sampleOf(v), k).front().at("image").data(); });
        for (auto& t : pool)
            t.join();
        for (size_t k = 0; k < 6; ++k)
            QVERIFY(torch::equal(serial[k], threaded[k]));
    }

    void probabilityAndWeightsFollowTheirValues() {
        Compose c = Compose::fromJson(Json::parse(R"([
            {"name": "RandZoomd", "keys": ["image"], "prob": 0.3, "min_zoom": 2, "max_zoom": 2, "keep_size": false}])"),
                                      "t");
        const Volume v(torch::ones({1, 4, 4, 4}));
        int applied = 0;
        const int n = 2000;
        for (int k = 0; k < n; ++k)
            applied += c.run(sampleOf(v), uint64_t(k)).front().at("image").data().size(1) == 8;
        // Binomial(2000, 0.3): sd = 20.5; 4 sd.
        QVERIFY2(std::abs(applied - 600) < 82, std::to_string(applied).c_str());
        Compose one = Compose::fromJson(Json::parse(R"([{"name": "OneOf", "weights": [1, 3],
            "transforms": [{"name": "Flipd", "keys": ["image"], "spatial_axis": [0]},
                           {"name": "Zoomd", "keys": ["image"], "zoom": 2, "keep_size": false}]}])"),
                                        "t");
        int second = 0;
        for (int k = 0; k < n; ++k)
            second += one.run(sampleOf(v), uint64_t(k)).front().at("image").data().size(1) == 8;
        QVERIFY2(std::abs(second - 1500) < 78, std::to_string(second).c_str()); // sd 19.4
        Compose order = Compose::fromJson(Json::parse(R"([{"name": "RandomOrder", "transforms": [
            {"name": "Zoomd", "keys": ["image"], "zoom": 2, "keep_size": false},
            {"name": "SpatialPadd", "keys": ["image"], "spatial_size": [9, 4, 4]}]}])"),
                                          "t");
        std::set<int64_t> sizes; // zoom then pad: 9; pad then zoom: 18
        for (int k = 0; k < 50; ++k)
            sizes.insert(order.run(sampleOf(v), uint64_t(k)).front().at("image").data().size(1));
        QCOMPARE(sizes, (std::set<int64_t>{9, 18}));
    }

    /// Count-and-select sampling gives exactly the sorted index lists.
    void labelSamplerMatchesIndexLists() {
        torch::manual_seed(5);
        const at::Tensor label = (torch::rand({1, 40, 37, 29}) > 0.8).to(torch::kFloat);
        const at::Tensor image = torch::rand({2, 40, 37, 29}) - 0.3;
        const kernels::LabelIndices lists = kernels::mapLabelIndices(label, image, 0.0);
        const kernels::LabelSampler sampler(label, image, 0.0);
        QCOMPARE(sampler.foregroundCount(), int64_t(lists.foreground.size()));
        QCOMPARE(sampler.backgroundCount(), int64_t(lists.background.size()));
        for (size_t k = 0; k < lists.foreground.size(); k += 7)
            QCOMPARE(sampler.select(int64_t(k), true), lists.foreground[k]);
        for (size_t k = 0; k < lists.background.size(); k += 13)
            QCOMPARE(sampler.select(int64_t(k), false), lists.background[k]);
    }

    /// pos:neg = 1:3 centres: 1-voxel patches show the centre's class.
    void posNegCropCentresFollowTheRatio() {
        at::Tensor label = torch::zeros({1, 20, 20, 20});
        label.slice(1, 5, 9).fill_(1);
        Sample s;
        s.volumes["label"] = Volume(label);
        Compose c = Compose::fromJson(Json::parse(R"([{"name": "RandCropByPosNegLabeld",
            "keys": ["label"], "label_key": "label", "spatial_size": [1, 1, 1], "pos": 1,
            "neg": 3, "num_samples": 1000}])"),
                                      "t");
        c.setRandomState(11);
        int positive = 0;
        for (const Sample& p : c.run(s, 0))
            positive += p.at("label").data().item<float>() > 0;
        // Binomial(1000, 0.25): sd 13.7; 4 sd.
        QVERIFY2(std::abs(positive - 250) < 55, std::to_string(positive).c_str());
    }

    void badParametersNameTransformAndField() {
        const std::vector<std::pair<const char*, const char*>> cases = {
            {R"({"name": "Spacingd", "pixdim": []})", "pixdim"},
            {R"({"name": "Spacingd", "mode": "cubic"})", "mode"},
            {R"({"name": "Spacingd", "keys": ["a", "b", "c"], "mode": ["bilinear", "nearest"]})",
             "mode"},
            {R"({"name": "Orientationd", "axcodes": "R"})", "axcodes"},
            {R"({"name": "Zoomd", "zoom": [0]})", "zoom"},
            {R"({"name": "Rotated", "angle": [0.1, 0.2]})", "angle"},
            {R"({"name": "RandZoomd", "min_zoom": 1.2, "max_zoom": 1.1})", "min_zoom"},
            {R"({"name": "RandAffined", "rotate_range": [[0.3, 0.1]]})", "rotate_range"},
            {R"({"name": "OneOf", "weights": [-1], "transforms": [{"name": "Flipd"}]})", "weights"},
            {R"({"name": "Rand3DElasticd", "sigma_range": [0, 1]})", "sigma_range"},
            {R"({"name": "Resized", "spatial_size": [4], "size_mode": "widest"})", "size_mode"}};
        for (const auto& [json, field] : cases) {
            try {
                (void)Compose::fromJson(Json::array({Json::parse(json)}), "pipeline");
                QFAIL(json);
            } catch (const ConfigError& e) {
                const std::string what = e.what();
                QVERIFY2(what.find(field) != std::string::npos, what.c_str());
            }
        }
        // Orientation to an impossible code names the field at run time too.
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 orientationVolume(Volume(torch::zeros({1, 2, 2, 2})), "RAR", "t"));
    }
};

QTEST_GUILESS_MAIN(TestSpatial)
#include "test_spatial.moc"
