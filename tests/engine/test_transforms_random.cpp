/// Intensity augmentations and percentile scaling: seeded reproducibility,
/// statistics against closed-form bounds, and exact values against
/// brute-force references written here.

#include <QtTest>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/core/Random.h"
#include "engine/transforms/Compose.h"
#include "engine/transforms/RandIntensityOps.h"
#include "engine/transforms/Transform.h"

using namespace medulla;

namespace {

TransformPtr make(const std::string& json) {
    return transformRegistry().create(Json::parse(json), "test");
}

Sample sampleOf(const at::Tensor& image) {
    Sample s;
    s.volumes["image"] = Volume(image);
    return s;
}

at::Tensor run(const TransformPtr& t, const at::Tensor& image, uint64_t seed) {
    RandomGenerator rng(seed);
    return t->apply(sampleOf(image), rng).at("image").data();
}

/// numpy.percentile (linear) by brute force.
double npPercentile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const double pos = q / 100.0 * double(v.size() - 1);
    const size_t lo = size_t(std::floor(pos)), hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - double(lo));
}

double legendreP(int n, double x) {
    if (n == 0)
        return 1.0;
    if (n == 1)
        return x;
    return ((2 * n - 1) * x * legendreP(n - 1, x) - (n - 1) * legendreP(n - 2, x)) / n;
}

std::vector<double> toVector(const at::Tensor& t) {
    const at::Tensor d = t.reshape(-1).to(torch::kDouble).contiguous();
    return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

const char* kAllRandom[] = {
    R"({"name": "RandGaussianNoised", "prob": 1.0})",
    R"({"name": "RandShiftIntensityd", "offsets": 10, "prob": 1.0})",
    R"({"name": "RandScaleIntensityd", "factors": 0.5, "prob": 1.0})",
    R"({"name": "RandAdjustContrastd", "prob": 1.0})",
    R"({"name": "RandHistogramShiftd", "prob": 1.0})",
    R"({"name": "RandBiasFieldd", "prob": 1.0})",
};

} // namespace

class TestTransformsRandom : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }

    /// Same seed, same output; another seed, another output; isRandom().
    void seededReproducibility() {
        const at::Tensor x = torch::rand({2, 9, 8, 7}) * 100;
        for (const char* json : kAllRandom) {
            const TransformPtr t = make(json);
            QVERIFY2(t->isRandom(), json);
            const at::Tensor a = run(t, x, 1234), b = run(t, x, 1234), c = run(t, x, 99);
            QVERIFY2(torch::equal(a, b), json);
            QVERIFY2(!torch::equal(a, c), json);
            QVERIFY2(!torch::equal(a, x.to(a.scalar_type())), json);
        }
    }

    /// prob = 0.3 applies in 30 % of 4000 draws (binomial: within 5 sigma),
    /// and prob = 0 never applies.
    void probabilityIsRespected() {
        const int n = 4000;
        for (const char* json : kAllRandom) {
            Json j = Json::parse(json);
            j["prob"] = 0.3;
            const TransformPtr t = transformRegistry().create(j, "test");
            // An image that every one of these transforms changes when applied.
            RandomGenerator rng2(6);
            int applied = 0;
            for (int i = 0; i < n; ++i) {
                const at::Tensor in = torch::arange(8, torch::kFloat).view({1, 2, 2, 2}) + 1;
                const at::Tensor out = t->apply(sampleOf(in), rng2).at("image").data();
                applied += torch::equal(out, in) ? 0 : 1;
            }
            const double sigma = std::sqrt(0.3 * 0.7 / n);
            const double rate = double(applied) / n;
            QVERIFY2(std::abs(rate - 0.3) < 5 * sigma,
                     (std::string(json) + " rate " + std::to_string(rate)).c_str());
            j["prob"] = 0.0;
            const TransformPtr never = transformRegistry().create(j, "test");
            const at::Tensor in = torch::rand({1, 3, 3, 3});
            for (int i = 0; i < 50; ++i)
                QVERIFY(torch::equal(never->apply(sampleOf(in), rng2).at("image").data(), in));
        }
    }

    /// Noise over 2^18 voxels: sample mean and std within 6 standard errors
    /// of mean = 0.5, std = 2 (sample_std false); image and label get the
    /// same noise; with sample_std the std lies in [0, 2].
    void gaussianNoiseStatistics() {
        const int64_t n = 64 * 64 * 64;
        const TransformPtr t = make(R"({"name": "RandGaussianNoised", "keys": ["image", "label"],
            "prob": 1.0, "mean": 0.5, "std": 2.0, "sample_std": false})");
        Sample s;
        s.volumes["image"] = Volume(torch::zeros({1, 64, 64, 64}));
        s.volumes["label"] = Volume(torch::full({1, 64, 64, 64}, 3.0));
        RandomGenerator rng(11);
        Sample out = t->apply(s, rng);
        const at::Tensor noise = out.at("image").data().to(torch::kDouble);
        QCOMPARE(out.at("image").data().scalar_type(), at::kFloat);
        const double mean = noise.mean().item<double>(), sd = noise.std().item<double>();
        QVERIFY2(std::abs(mean - 0.5) < 6 * 2.0 / std::sqrt(double(n)),
                 std::to_string(mean).c_str());
        QVERIFY2(std::abs(sd - 2.0) < 6 * 2.0 / std::sqrt(2.0 * n), std::to_string(sd).c_str());
        QVERIFY(torch::allclose(out.at("label").data() - 3.0, out.at("image").data(), 0, 1e-5));
        const TransformPtr sampled = make(R"({"name": "RandGaussianNoised", "prob": 1.0,
            "mean": 0.0, "std": 2.0})");
        for (uint64_t seed = 0; seed < 20; ++seed) {
            const double sdS =
                run(sampled, torch::zeros({1, 32, 32, 32}), seed).std().item<double>();
            QVERIFY(sdS >= 0.0 && sdS <= 2.0 * 1.02);
        }
    }

    /// RandScaleIntensityd: out = x * (1 + f), one f in [-0.2, 0.3) per
    /// sample (or per channel), the same for every key.
    void scaleIntensityIsLinear() {
        const TransformPtr t = make(R"({"name": "RandScaleIntensityd", "keys": ["image", "label"],
            "factors": [0.3, -0.2], "prob": 1.0})");
        const at::Tensor x = torch::rand({2, 6, 5, 4}) + 0.5;
        std::vector<double> fs;
        for (uint64_t seed = 0; seed < 40; ++seed) {
            Sample s;
            s.volumes["image"] = Volume(x);
            s.volumes["label"] = Volume(x * 2);
            RandomGenerator rng(seed);
            Sample out = t->apply(s, rng);
            const at::Tensor ratio = out.at("image").data() / x;
            const double f = ratio.mean().item<double>() - 1.0;
            QVERIFY(torch::allclose(ratio, torch::full_like(ratio, 1.0 + f), 1e-5, 1e-6));
            QVERIFY(torch::allclose(out.at("label").data(), 2 * x * (1 + f), 1e-5, 1e-5));
            QVERIFY(f >= -0.2 - 1e-6 && f < 0.3 + 1e-6);
            fs.push_back(f);
        }
        QVERIFY(*std::min_element(fs.begin(), fs.end()) < -0.1);
        QVERIFY(*std::max_element(fs.begin(), fs.end()) > 0.2);
        const TransformPtr cw = make(R"({"name": "RandScaleIntensityd", "factors": 0.5,
            "prob": 1.0, "channel_wise": true})");
        const at::Tensor r = run(cw, x, 3) / x;
        const double f0 = r[0].mean().item<double>(), f1 = r[1].mean().item<double>();
        QVERIFY(torch::allclose(r[0], torch::full_like(r[0], f0), 1e-5, 1e-6));
        QVERIFY(std::abs(f0 - f1) > 1e-6);
    }

    /// RandShiftIntensityd: out = x + offset (offset in range, shared by
    /// keys); a uint8 key keeps its dtype and wraps, or clamps with safe.
    void shiftIntensityOffsetAndDtype() {
        for (bool safe : {false, true}) {
            Json j = Json::parse(R"({"name": "RandShiftIntensityd", "keys": ["image", "label"],
                "offsets": [10, 20], "prob": 1.0})");
            j["safe"] = safe;
            const TransformPtr t = transformRegistry().create(j, "test");
            for (uint64_t seed = 0; seed < 10; ++seed) {
                Sample s;
                s.volumes["image"] = Volume(torch::zeros({1, 2, 2, 2}));
                s.volumes["label"] = Volume(torch::full({1, 2, 2, 2}, 250, torch::kByte));
                RandomGenerator rng(seed);
                Sample out = t->apply(s, rng);
                const double off = out.at("image").data().max().item<double>();
                QVERIFY(off >= 10 && off < 20);
                QVERIFY(torch::equal(out.at("image").data(), torch::full({1, 2, 2, 2}, off)));
                const at::Tensor lab = out.at("label").data();
                QCOMPARE(lab.scalar_type(), at::kByte);
                const int64_t want = safe ? 255 : (int64_t(250 + off)) % 256;
                QCOMPARE(lab.max().item<int64_t>(), want);
                QCOMPARE(lab.min().item<int64_t>(), want);
            }
        }
    }

    /// AdjustContrast on [0, 1] data is x^gamma with gamma in [0.5, 4.5);
    /// retain_stats keeps mean and std; invert_image matches the formula.
    void adjustContrastGamma() {
        const TransformPtr t = make(R"({"name": "RandAdjustContrastd", "prob": 1.0})");
        at::Tensor x = torch::rand({1, 5, 5, 5});
        x.view(-1)[0] = 0.0f;
        x.view(-1)[1] = 1.0f;
        x.view(-1)[2] = 0.5f;
        for (uint64_t seed = 0; seed < 10; ++seed) {
            const at::Tensor y = run(t, x, seed);
            const double g = std::log(y.view(-1)[2].item<double>()) / std::log(0.5);
            QVERIFY(g >= 0.5 - 1e-4 && g < 4.5 + 1e-4);
            QVERIFY(torch::allclose(y, x.to(torch::kDouble).pow(g).to(torch::kFloat), 1e-4, 1e-5));
        }
        const TransformPtr keep = make(R"({"name": "RandAdjustContrastd", "prob": 1.0,
            "gamma": [2.0, 3.0], "retain_stats": true})");
        const at::Tensor z = torch::randn({1, 8, 8, 8}) * 3 + 7;
        const at::Tensor k = run(keep, z, 4);
        QVERIFY(std::abs(k.mean().item<double>() - z.mean().item<double>()) < 1e-4);
        QVERIFY(std::abs(k.std().item<double>() - z.std().item<double>()) < 1e-4);
        QVERIFY(!torch::allclose(k, z));
        // invert_image: -(((-x - min) / range)^g * range + min), min/range of -x.
        const at::Tensor inv = adjustContrast(z, 2.0, true, false);
        const at::Tensor n = -z.to(torch::kDouble);
        const double mn = n.min().item<double>(), range = n.max().item<double>() - mn;
        const at::Tensor want = -(((n - mn) / range).pow(2.0) * range + mn);
        QVERIFY(torch::allclose(inv.to(torch::kDouble), want, 1e-5, 1e-4));
    }

    /// The histogram shift is monotonic, keeps min and max, leaves a
    /// constant image alone, and is the identity with 3 points when the
    /// middle one stays put (checked through histogramShift directly).
    void histogramShiftMonotonic() {
        const at::Tensor x = torch::randn({1, 10, 10, 10}) * 50;
        const TransformPtr t = make(R"({"name": "RandHistogramShiftd", "prob": 1.0,
            "num_control_points": [4, 12]})");
        for (uint64_t seed = 0; seed < 10; ++seed) {
            const at::Tensor y = run(t, x, seed);
            const at::Tensor order = std::get<1>(x.reshape(-1).sort());
            const at::Tensor ys = y.reshape(-1).index_select(0, order);
            QVERIFY((ys.slice(0, 1) - ys.slice(0, 0, ys.numel() - 1)).min().item<double>() >=
                    -1e-4);
            QVERIFY(std::abs(y.min().item<double>() - x.min().item<double>()) < 1e-3);
            QVERIFY(std::abs(y.max().item<double>() - x.max().item<double>()) < 1e-3);
        }
        const at::Tensor c = torch::full({1, 3, 3, 3}, 4.0);
        QVERIFY(torch::equal(run(t, c, 1), c));
        // Two segments 0 -> 0, 0.5 -> 0.25, 1 -> 1 on [0, 1] data: brute force.
        const at::Tensor v = torch::linspace(0, 1, 11).view({1, 11, 1, 1});
        const at::Tensor h = histogramShift(v, {0.0, 0.5, 1.0}, {0.0, 0.25, 1.0});
        for (int i = 0; i <= 10; ++i) {
            const double xv = i / 10.0;
            const double want = xv <= 0.5 ? xv * 0.5 : 0.25 + (xv - 0.5) * 1.5;
            QVERIFY(std::abs(h.view(-1)[i].item<double>() - want) < 1e-6);
        }
    }

    /// biasField against the Legendre sums written out by hand (2D degree 2
    /// in MONAI's lower-triangular order, 3D degree 1), and the random
    /// transform multiplies by exp(field) with |field| <= sum |coeff| and a
    /// smooth (small second difference) field.
    void biasFieldClosedForm() {
        const std::vector<double> c2 = {0.1, -0.2, 0.3, 0.05, -0.07, 0.11};
        const at::Tensor f2 = biasField({5, 4}, 2, c2);
        for (int a = 0; a < 5; ++a)
            for (int b = 0; b < 4; ++b) {
                const double x = -1 + 2.0 * a / 4, y = -1 + 2.0 * b / 3;
                double want = 0;
                size_t k = 0;
                for (int i = 0; i <= 2; ++i)
                    for (int j = 0; j <= i; ++j)
                        want += c2[k++] * legendreP(i, x) * legendreP(j, y);
                QVERIFY(std::abs(f2[a][b].item<double>() - want) < 1e-6);
            }
        const std::vector<double> c3 = {0.4, 0.1, -0.2, 0.3}; // (0,0,0) (0,0,1) (0,1,0) (1,0,0)
        const at::Tensor f3 = biasField({3, 4, 5}, 1, c3);
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 4; ++b)
                for (int c = 0; c < 5; ++c) {
                    const double x = -1 + 2.0 * a / 2, y = -1 + 2.0 * b / 3, z = -1 + 2.0 * c / 4;
                    const double want = 0.4 + 0.1 * z - 0.2 * y + 0.3 * x;
                    QVERIFY(std::abs(f3[a][b][c].item<double>() - want) < 1e-6);
                }
        QCOMPARE(biasFieldCoeffCount(3, 3), int64_t(20));
        QCOMPARE(biasFieldCoeffCount(3, 2), int64_t(10));

        const TransformPtr t = make(R"({"name": "RandBiasFieldd", "prob": 1.0,
            "coeff_range": [-0.1, 0.1]})");
        const at::Tensor x = torch::rand({2, 24, 20, 16}) + 1.0;
        const at::Tensor logGain = (run(t, x, 8).to(torch::kDouble) / x).log();
        QVERIFY(torch::allclose(logGain[0], logGain[1], 0, 1e-6)); // same field per channel
        QVERIFY(logGain.abs().max().item<double>() <= 20 * 0.1 + 1e-6);
        const at::Tensor g = logGain[0];
        const double d2 =
            (g.slice(0, 2) - 2 * g.slice(0, 1, -1) + g.slice(0, 0, -2)).abs().max().item<double>();
        QVERIFY2(d2 < 0.05, std::to_string(d2).c_str()); // h = 2/23: P3'' <= 15 -> small
        QVERIFY(logGain.abs().max().item<double>() > 1e-4);
    }

    /// percentile() is numpy's linear interpolation; the transform matches
    /// MONAI's documented example and a brute-force reference.
    void percentileScaling() {
        const at::Tensor a = torch::arange(100, torch::kDouble);
        QCOMPARE(percentile(a, 25.0), 24.75);
        QCOMPARE(percentile(a, 0.0), 0.0);
        QCOMPARE(percentile(a, 100.0), 99.0);
        const at::Tensor r = torch::randn({1, 7, 6, 5});
        const auto v = toVector(r);
        for (double q : {0.0, 3.3, 10.0, 50.0, 87.5, 99.0, 100.0})
            QVERIFY(std::abs(percentile(r, q) - npPercentile(v, q)) < 1e-12);

        // MONAI's docstring example: rows of 1..5.
        const at::Tensor img = torch::arange(1, 6, torch::kFloat).repeat({1, 6, 1});
        const at::Tensor want = torch::tensor({0.f, 50.f, 100.f, 150.f, 200.f}).repeat({1, 6, 1});
        const at::Tensor wantRel =
            torch::tensor({20.f, 60.f, 100.f, 140.f, 180.f}).repeat({1, 6, 1});
        const TransformPtr abs = make(R"({"name": "ScaleIntensityRangePercentilesd",
            "lower": 10, "upper": 90, "b_min": 0, "b_max": 200})");
        const TransformPtr rel = make(R"({"name": "ScaleIntensityRangePercentilesd",
            "lower": 10, "upper": 90, "b_min": 0, "b_max": 200, "relative": true})");
        // Volumes need 2 or 3 spatial axes: (1, 6, 5).
        QVERIFY(torch::allclose(run(abs, img, 0), want, 1e-5, 1e-4));
        QVERIFY(torch::allclose(run(rel, img, 0), wantRel, 1e-5, 1e-4));

        // Channel-wise, clipped, against the brute-force reference.
        const at::Tensor two = torch::stack({torch::randn({6, 5, 4}), torch::rand({6, 5, 4}) * 9});
        const TransformPtr cw = make(R"({"name": "ScaleIntensityRangePercentilesd",
            "lower": 5, "upper": 95, "b_min": -1, "b_max": 1, "clip": true,
            "channel_wise": true})");
        const at::Tensor got = run(cw, two, 0);
        for (int64_t c = 0; c < 2; ++c) {
            const auto cv = toVector(two[c]);
            const double lo = npPercentile(cv, 5), hi = npPercentile(cv, 95);
            const at::Tensor w =
                ((two[c].to(torch::kDouble) - lo) / (hi - lo) * 2 - 1).clamp(-1, 1);
            QVERIFY(torch::allclose(got[c].to(torch::kDouble), w, 1e-5, 1e-5));
        }
        // b_min/b_max null: only (x - a_min) / (a_max - a_min).
        const TransformPtr none = make(R"({"name": "ScaleIntensityRangePercentilesd",
            "lower": 0, "upper": 100, "b_min": null, "b_max": null})");
        const at::Tensor u = run(none, two, 0);
        QVERIFY(std::abs(u.min().item<double>()) < 1e-6);
        QVERIFY(std::abs(u.max().item<double>() - 1.0) < 1e-6);
    }

    /// Every transform survives fromJson(toJson()) unchanged, also inside a Compose.
    void jsonRoundTrip() {
        std::vector<std::string> configs(std::begin(kAllRandom), std::end(kAllRandom));
        configs.push_back(R"({"name": "ScaleIntensityRangePercentilesd", "lower": 1,
            "upper": 99, "b_min": null, "b_max": 2, "channel_wise": true})");
        configs.push_back(R"({"name": "RandShiftIntensityd", "offsets": [1, 3], "safe": true,
            "channel_wise": true, "keys": ["a", "b"]})");
        configs.push_back(R"({"name": "RandAdjustContrastd", "gamma": 2.5, "invert_image": true,
            "retain_stats": true})");
        configs.push_back(R"({"name": "RandHistogramShiftd", "num_control_points": [5, 9]})");
        configs.push_back(R"({"name": "RandBiasFieldd", "degree": 4, "coeff_range": [0.1, 0.2],
            "dtype": "float64"})");
        Json list = Json::array();
        for (const auto& c : configs) {
            const TransformPtr t = make(c);
            const Json j = t->toJson();
            QCOMPARE(transformRegistry().create(j, "again")->toJson(), j);
            for (const auto& p : transformRegistry().info(t->name()).params)
                QVERIFY2(j.contains(p.name), (t->name() + " misses " + p.name).c_str());
            list.push_back(j);
        }
        const Compose c = Compose::fromJson(list, "train_transforms");
        QCOMPARE(Compose::fromJson(c.toJson(), "again").toJson(), c.toJson());
    }

    /// Impossible parameters: ConfigError naming the transform and the parameter.
    void badParametersNamed() {
        const std::vector<std::pair<std::string, std::string>> bad = {
            {R"({"name": "RandGaussianNoised", "prob": 1.5})", "prob"},
            {R"({"name": "RandGaussianNoised", "std": -1})", "std"},
            {R"({"name": "RandGaussianNoised", "dtype": "float128"})", "dtype"},
            {R"({"name": "RandShiftIntensityd"})", "offsets"},
            {R"({"name": "RandShiftIntensityd", "offsets": [1, 2, 3]})", "offsets"},
            {R"({"name": "RandScaleIntensityd", "factors": "big"})", "factors"},
            {R"({"name": "RandAdjustContrastd", "gamma": 0.4})", "gamma"},
            {R"({"name": "RandHistogramShiftd", "num_control_points": 2})", "num_control_points"},
            {R"({"name": "RandHistogramShiftd", "num_control_points": [3, 4, 5]})",
             "num_control_points"},
            {R"({"name": "RandBiasFieldd", "degree": 0})", "degree"},
            {R"({"name": "RandBiasFieldd", "coeff_range": [0.1]})", "coeff_range"},
            {R"({"name": "ScaleIntensityRangePercentilesd", "lower": -1, "upper": 99,
                "b_min": 0, "b_max": 1})",
             "lower"},
            {R"({"name": "ScaleIntensityRangePercentilesd", "lower": 1, "upper": 101,
                "b_min": 0, "b_max": 1})",
             "upper"},
            {R"({"name": "ScaleIntensityRangePercentilesd", "lower": 1, "upper": 99,
                "b_min": null, "b_max": 1, "relative": true})",
             "relative"},
            {R"({"name": "ScaleIntensityRangePercentilesd", "upper": 99, "b_min": 0,
                "b_max": 1})",
             "lower"},
            {R"({"name": "RandScaleIntensityd", "factors": 0.1, "probability": 0.5})",
             "probability"},
        };
        for (const auto& [json, param] : bad) {
            const std::string name = Json::parse(json)["name"];
            bool thrown = false;
            try {
                transformRegistry().create(Json::parse(json), "pipeline[3]");
            } catch (const ConfigError& e) {
                thrown = true;
                const std::string what = e.what();
                QVERIFY2(what.find(name) != std::string::npos, what.c_str());
                QVERIFY2(e.field().find(param) != std::string::npos, what.c_str());
            }
            QVERIFY2(thrown, json.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestTransformsRandom)
#include "test_transforms_random.moc"
