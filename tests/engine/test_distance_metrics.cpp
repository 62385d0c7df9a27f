/// HausdorffDistanceMetric, SurfaceDistanceMetric and SurfaceDiceMetric
/// against MONAI 1.3.2 (the parity manifest's cases and
/// tests/data/metrics/surface_dice.json), closed-form cases, a brute-force
/// all-pairs reference for the surface-distance kernel, and the errors.

#include "MetricTestSupport.h"
#include "TestSupport.h"

#include <cmath>
#include <limits>

#include "engine/core/Error.h"
#include "engine/metrics/HausdorffDistanceMetric.h"
#include "engine/metrics/Metric.h"
#include "engine/metrics/SurfaceDiceMetric.h"
#include "engine/metrics/SurfaceDistanceMetric.h"
#include "kernels/cpu/SurfaceDistance.h"

using namespace medulla;
using nlohmann::json;

namespace {

const double kInf = std::numeric_limits<double>::infinity();
const std::string kLocalDir = std::string(MEDULLA_SOURCE_DIR) + "/tests/data/metrics/";

/// Element-wise closeness where NaN matches NaN and inf matches inf of the
/// same sign.
bool sameValues(const at::Tensor& got, const at::Tensor& want, double rtol, double atol,
                std::string& why) {
    if (got.sizes() != want.sizes()) {
        why = "shape " + c10::str(got.sizes()) + " vs " + c10::str(want.sizes());
        return false;
    }
    at::Tensor g = got.to(torch::kDouble).contiguous().view(-1);
    at::Tensor w = want.to(torch::kDouble).contiguous().view(-1);
    for (int64_t i = 0; i < g.numel(); ++i) {
        const double a = g[i].item<double>(), b = w[i].item<double>();
        const bool ok = std::isnan(b)   ? std::isnan(a)
                        : std::isinf(b) ? a == b
                                        : std::fabs(a - b) <= atol + rtol * std::fabs(b);
        if (!ok) {
            why = "element " + std::to_string(i) + ": got " + std::to_string(a) + ", want " +
                  std::to_string(b);
            return false;
        }
    }
    return true;
}

MetricCall callOf(const json& c) {
    MetricCall call;
    if (!c.contains("call_params") || !c["call_params"].contains("spacing"))
        return call;
    const json& s = c["call_params"]["spacing"];
    if (s.is_number())
        call.spacing = {{s.get<double>()}};
    else if (s[0].is_number())
        call.spacing = {s.get<std::vector<double>>()};
    else
        call.spacing = s.get<std::vector<std::vector<double>>>();
    return call;
}

/// Runs one case (parity-manifest layout) through the registry; QVERIFYs
/// raw, aggregate and not_nans.
void runCase(const json& c, const std::string& dir) {
    json config = c["params"];
    config["name"] = c["op"];
    MetricPtr metric = metricRegistry().create(config, "metric");
    auto load = [&](const json& section, const char* key) {
        return readNpy(dir + section[key].get<std::string>());
    };
    at::Tensor yPred = load(c["inputs"], "y_pred").to(torch::kFloat);
    at::Tensor y = load(c["inputs"], "y").to(torch::kFloat);
    const double rtol = c["rtol"], atol = c["atol"];
    std::string why;
    const at::Tensor raw = (*metric)(yPred, y, callOf(c));
    QVERIFY2(sameValues(raw, load(c["outputs"], "raw"), rtol, atol, why),
             (c["id"].get<std::string>() + " raw: " + why).c_str());
    const MetricValue agg = metric->aggregate().at(0);
    QVERIFY2(sameValues(agg.value, load(c["outputs"], "aggregate"), rtol, atol, why),
             (c["id"].get<std::string>() + " aggregate: " + why).c_str());
    // MONAI's not_nans of "mean" is 0-d; the manifest stores it as (1,)
    if (c["outputs"].contains("not_nans"))
        QVERIFY2(sameValues(agg.notNans.reshape(-1), load(c["outputs"], "not_nans").reshape(-1), 0,
                            0, why),
                 (c["id"].get<std::string>() + " not_nans: " + why).c_str());
}

json readJson(const std::string& path) {
    std::ifstream f(path);
    json j;
    f >> j;
    return j;
}

/// Edge voxels by definition (a foreground voxel with a face neighbour that
/// is background or outside), as coordinate lists; nd = 2 or 3.
std::vector<std::array<int64_t, 3>> bruteEdges(const at::Tensor& m) {
    std::vector<std::array<int64_t, 3>> out;
    at::Tensor v = m.dim() == 2 ? m.unsqueeze(0) : m;
    const int64_t X = v.size(0), Y = v.size(1), Z = v.size(2);
    auto acc = v.accessor<uint8_t, 3>();
    auto fg = [&](int64_t x, int64_t y, int64_t z) {
        return x >= 0 && y >= 0 && z >= 0 && x < X && y < Y && z < Z && acc[x][y][z];
    };
    for (int64_t x = 0; x < X; ++x)
        for (int64_t y = 0; y < Y; ++y)
            for (int64_t z = 0; z < Z; ++z) {
                const bool xIn = m.dim() == 2 || (fg(x - 1, y, z) && fg(x + 1, y, z));
                if (fg(x, y, z) && !(xIn && fg(x, y - 1, z) && fg(x, y + 1, z) && fg(x, y, z - 1) &&
                                     fg(x, y, z + 1)))
                    out.push_back({x, y, z});
            }
    return out;
}

/// All-pairs nearest distances from a's edges to b's (b non-empty).
std::vector<double> bruteDistances(const at::Tensor& a, const at::Tensor& b,
                                   kernels::SurfaceMetric metric, std::array<double, 3> sp) {
    std::vector<double> out;
    const auto ea = bruteEdges(a), eb = bruteEdges(b);
    for (const auto& p : ea) {
        double best = kInf;
        for (const auto& q : eb) {
            double d[3], e = 0;
            for (int k = 0; k < 3; ++k)
                d[k] = std::fabs(double(p[size_t(k)] - q[size_t(k)]));
            if (metric == kernels::SurfaceMetric::Euclidean)
                for (int k = 0; k < 3; ++k)
                    e += (d[k] * sp[size_t(k)]) * (d[k] * sp[size_t(k)]);
            else if (metric == kernels::SurfaceMetric::Taxicab)
                e = d[0] + d[1] + d[2];
            else
                e = std::max({d[0], d[1], d[2]});
            best = std::min(best, e);
        }
        out.push_back(metric == kernels::SurfaceMetric::Euclidean ? std::sqrt(best) : best);
    }
    return out;
}

at::Tensor onePair(const at::Tensor& pred, const at::Tensor& gt) {
    // (1, 2, *spatial) float one-hot from two foreground masks
    auto oh = [](const at::Tensor& m) {
        return torch::stack({1 - m, m}).unsqueeze(0).to(torch::kFloat);
    };
    return torch::cat({oh(pred), oh(gt)}, 0);
}

double hd(const HausdorffDistanceMetricOptions& o, const at::Tensor& pred, const at::Tensor& gt,
          MetricCall call = {}) {
    const at::Tensor both = onePair(pred, gt);
    return HausdorffDistanceMetric(o)
        .compute(both[0].unsqueeze(0), both[1].unsqueeze(0), call)
        .item<double>();
}

} // namespace

class TestDistanceMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parityManifest() {
        const json m = readJson(test::parityDir() + "/manifest.json");
        int n = 0;
        for (const auto& c : m["cases"])
            if (c["op"] == "HausdorffDistanceMetric" || c["op"] == "SurfaceDistanceMetric") {
                runCase(c, test::parityDir() + "/");
                ++n;
            }
        QCOMPARE(n, 15);
    }

    void surfaceDiceAndFarMasks() {
        const json j = readJson(kLocalDir + "surface_dice.json");
        QCOMPARE(int(j["cases"].size()), 10);
        for (const auto& c : j["cases"])
            runCase(c, kLocalDir);
    }

    void singleVoxelsAnisotropic() {
        at::Tensor a = torch::zeros({8, 9, 6}, torch::kByte), b = torch::zeros_like(a);
        a[1][2][3] = 1;
        b[4][6][3] = 1;
        MetricCall call{{{0.5, 2.0, 1.0}}, {}};
        // sqrt((3 * 0.5)^2 + (4 * 2)^2)
        const double want = std::sqrt(2.25 + 64.0);
        QVERIFY(std::fabs(hd({}, a, b, call) - want) < 1e-5);
        QVERIFY(std::fabs(hd(HausdorffDistanceMetricOptions().percentile(95), a, b, call) - want) <
                1e-5);
        const at::Tensor both = onePair(a, b);
        const double asd = SurfaceDistanceMetric(SurfaceDistanceMetricOptions().symmetric(true))
                               .compute(both[0].unsqueeze(0), both[1].unsqueeze(0), call)
                               .item<double>();
        QVERIFY(std::fabs(asd - want) < 1e-5);
    }

    void diagonalOffsetPerMetric() {
        at::Tensor a = torch::zeros({7, 7, 7}, torch::kByte), b = torch::zeros_like(a);
        a[1][1][1] = 1;
        b[3][4][2] = 1; // offset (2, 3, 1)
        auto with = [](const char* m) {
            return HausdorffDistanceMetricOptions().distance_metric(m);
        };
        QVERIFY(std::fabs(hd(with("euclidean"), a, b) - std::sqrt(14.0)) < 1e-5);
        QCOMPARE(hd(with("chessboard"), a, b), 3.0);
        QCOMPARE(hd(with("taxicab"), a, b), 6.0);
        // spacing only changes the euclidean distance
        MetricCall call{{{2.0, 1.0, 1.0}}, {}};
        QVERIFY(std::fabs(hd(with("euclidean"), a, b, call) - std::sqrt(26.0)) < 1e-5);
        QCOMPARE(hd(with("chessboard"), a, b, call), 3.0);
        QCOMPARE(hd(with("taxicab"), a, b, call), 6.0);
    }

    void shiftedCube() {
        for (int k : {1, 3, 5}) {
            at::Tensor a = torch::zeros({24, 20, 20}, torch::kByte), b = torch::zeros_like(a);
            a.slice(0, 4, 10).slice(1, 5, 11).slice(2, 5, 11).fill_(1);
            b.slice(0, 4 + k, 10 + k).slice(1, 5, 11).slice(2, 5, 11).fill_(1);
            // the far faces are k apart; nothing is farther
            QCOMPARE(hd({}, a, b), double(k));
            QCOMPARE(hd(HausdorffDistanceMetricOptions().distance_metric("taxicab"), a, b),
                     double(k));
            QCOMPARE(hd(HausdorffDistanceMetricOptions().directed(true), b, a), double(k));
        }
    }

    void percentileInterpolation() {
        // torch.quantile(torch.tensor([10., 1, 4, 2, 3]), q), float32
        const std::pair<double, float> want[] = {{0.95, 8.799999237060547f},
                                                 {0.9, 7.59999942779541f},
                                                 {0.333, 2.3320000171661377f},
                                                 {0.5, 3.0f},
                                                 {0.0, 1.0f},
                                                 {1.0, 10.0f}};
        for (const auto& [q, v] : want) {
            std::vector<float> d = {10, 1, 4, 2, 3};
            QCOMPARE(kernels::quantileLinear(d, q), v);
        }
        std::vector<float> d = {10, 1, 4, 2, 3};
        QCOMPARE(kernels::directedHausdorff(d, std::nullopt), 10.0f);
        QCOMPARE(kernels::directedHausdorff(d, 0.0), 10.0f); // MONAI: percentile 0 = max
        QCOMPARE(kernels::directedHausdorff(d, 95.0), 8.799999237060547f);
        std::vector<float> none;
        QVERIFY(std::isnan(kernels::directedHausdorff(none, 95.0)));
    }

    void emptyConventions() {
        at::Tensor a = torch::zeros({10, 10, 10}, torch::kByte), empty = torch::zeros_like(a);
        a.slice(0, 2, 6).slice(1, 2, 6).slice(2, 2, 6).fill_(1);
        QCOMPARE(hd({}, a, empty), kInf);
        QCOMPARE(hd({}, empty, a), kInf);
        QCOMPARE(hd(HausdorffDistanceMetricOptions().directed(true), empty, a), kInf);
        // torch.quantile of infinities is NaN
        QVERIFY(std::isnan(hd(HausdorffDistanceMetricOptions().percentile(95), a, empty)));
        QVERIFY(std::isnan(hd({}, empty, empty)));
        const at::Tensor both = onePair(a, empty);
        SurfaceDistanceMetric asd;
        QCOMPARE(asd(both[0].unsqueeze(0), both[1].unsqueeze(0)).item<double>(), kInf);
        SurfaceDiceMetric nsd(SurfaceDiceMetricOptions().class_thresholds({1.0}));
        QCOMPARE(nsd.compute(both[0].unsqueeze(0), both[1].unsqueeze(0), {}).item<double>(), 0.0);
        const at::Tensor none = onePair(empty, empty);
        QVERIFY(
            std::isnan(nsd.compute(none[0].unsqueeze(0), none[1].unsqueeze(0), {}).item<double>()));
        // inf counts as valid in the aggregate, NaN does not
        asd(none[0].unsqueeze(0), none[1].unsqueeze(0));
        const MetricValue v = asd.aggregate().at(0);
        QCOMPARE(v.value.item<double>(), kInf);
        QCOMPARE(v.notNans.item<double>(), 1.0);
    }

    void kernelMatchesBruteForce() {
        torch::manual_seed(3);
        using kernels::SurfaceMetric;
        for (int trial = 0; trial < 6; ++trial) {
            const bool twoD = trial % 2 == 1;
            const std::vector<int64_t> shape =
                twoD ? std::vector<int64_t>{31, 70} : std::vector<int64_t>{30, 8, 67};
            // random voxels against a slab at one end plus a few voxels: the
            // far queries need more rings than the first search allows
            at::Tensor a = (torch::rand(shape) < 0.04).to(torch::kByte);
            at::Tensor b = (torch::rand(shape) < 0.002).to(torch::kByte);
            b.slice(0, 0, 3).fill_(1);
            const std::array<double, 3> sp =
                twoD ? std::array<double, 3>{1.0, 0.6, 1.7} : std::array<double, 3>{1.3, 0.6, 1.7};
            for (SurfaceMetric m :
                 {SurfaceMetric::Euclidean, SurfaceMetric::Chessboard, SurfaceMetric::Taxicab}) {
                const std::vector<double> want = bruteDistances(a, b, m, sp);
                for (int rings : {-1, 0, 2}) {
                    kernels::SurfaceDistanceOptions o;
                    o.metric = m;
                    o.spacing = twoD ? std::vector<double>{sp[1], sp[2]}
                                     : std::vector<double>{sp[0], sp[1], sp[2]};
                    o.searchRings = rings;
                    const auto got = kernels::surfaceDistances(a, b, o).predToGt;
                    QCOMPARE(got.size(), want.size());
                    for (size_t i = 0; i < got.size(); ++i)
                        QVERIFY2(std::fabs(got[i] - want[i]) <= 1e-5 * (1 + want[i]),
                                 ("trial " + std::to_string(trial) + " rings " +
                                  std::to_string(rings) + " voxel " + std::to_string(i))
                                     .c_str());
                }
            }
        }
    }

    void tableAndJson() {
        auto m = metricRegistry().create({{"name", "HausdorffDistanceMetric"}, {"percentile", 95}},
                                         "metric");
        QCOMPARE(QString::fromStdString(m->shortName()), QString("HD95"));
        QCOMPARE(m->toJson()["percentile"].get<double>(), 95.0);
        auto again = metricRegistry().create(m->toJson(), "metric");
        QVERIFY(again->toJson() == m->toJson());
        at::Tensor a = torch::zeros({6, 6}, torch::kByte);
        a.slice(0, 1, 4).slice(1, 1, 4).fill_(1);
        const at::Tensor both = onePair(a, a.roll(1, 0));
        (*m)(both[0].unsqueeze(0), both[1].unsqueeze(0), {{}, {"case_a"}});
        const MetricTable t = m->table();
        QVERIFY(t.columns == std::vector<std::string>{"HD95[1]"});
        QVERIFY(t.caseIds == std::vector<std::string>{"case_a"});
        QCOMPARE(t.rows[0][0], 1.0);
        QVERIFY(metricRegistry().contains("SurfaceDistanceMetric"));
        QVERIFY(metricRegistry().contains("SurfaceDiceMetric"));
    }

    void errors() {
        auto field = [](auto&& f) { return test::thrown<ConfigError>(f).second; };
        const at::Tensor x = torch::zeros({1, 3, 5, 5, 5});
        QCOMPARE(field([&] {
                     SurfaceDiceMetric(SurfaceDiceMetricOptions().class_thresholds({1.0}))
                         .compute(x, x, {});
                 }),
                 std::string("metric.class_thresholds"));
        QCOMPARE(field([] {
                     HausdorffDistanceMetric(HausdorffDistanceMetricOptions().percentile(120));
                 }),
                 std::string("metric.percentile"));
        QCOMPARE(field([] {
                     metricRegistry().create(
                         {{"name", "HausdorffDistanceMetric"}, {"percentile", -1}}, "metrics[0]");
                 }),
                 std::string("metrics[0].percentile"));
        QCOMPARE(field([&] {
                     HausdorffDistanceMetric().compute(x, x, {{{1.0, 2.0}}, {}});
                 }),
                 std::string("spacing"));
        QCOMPARE(field([&] {
                     SurfaceDistanceMetric().compute(x, x, {{{1.0}, {1.0}}, {}});
                 }),
                 std::string("spacing"));
        QCOMPARE(field([] {
                     SurfaceDiceMetric(
                         SurfaceDiceMetricOptions().class_thresholds({1.0}).use_subvoxels(true));
                 }),
                 std::string("metric.use_subvoxels"));
        QCOMPARE(field([] {
                     SurfaceDistanceMetric(
                         SurfaceDistanceMetricOptions().distance_metric("cosine"));
                 }),
                 std::string("metric.distance_metric"));
        QVERIFY_THROWS_EXCEPTION(
            ShapeError, HausdorffDistanceMetric().compute(x, torch::zeros({1, 3, 5, 5}), {}));
        QVERIFY_THROWS_EXCEPTION(ShapeError, HausdorffDistanceMetric().compute(
                                                 torch::zeros({2, 2}), torch::zeros({2, 2}), {}));
    }
};

QTEST_APPLESS_MAIN(TestDistanceMetrics)
#include "test_distance_metrics.moc"
