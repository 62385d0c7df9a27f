/// Kernels against independent references written here: connected
/// components vs a breadth-first flood fill, the distance transform vs a
/// brute-force nearest-zero search, the Gaussian filter vs a direct
/// convolution and closed-form taps.

#include <QtTest>
#include <torch/torch.h>

#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <random>

#include "kernels/cpu/ConnectedComponents.h"
#include "kernels/cpu/DistanceTransform.h"
#include "kernels/cpu/GaussianFilter.h"

using namespace medulla;

namespace {

std::vector<int64_t> stridesOf(const std::vector<int64_t>& shape) {
    std::vector<int64_t> s(shape.size(), 1);
    for (int64_t a = int64_t(shape.size()) - 2; a >= 0; --a)
        s[size_t(a)] = s[size_t(a + 1)] * shape[size_t(a + 1)];
    return s;
}

std::vector<int64_t> coordsOf(int64_t i, const std::vector<int64_t>& shape) {
    std::vector<int64_t> c(shape.size());
    for (int64_t a = int64_t(shape.size()) - 1; a >= 0; --a) {
        c[size_t(a)] = i % shape[size_t(a)];
        i /= shape[size_t(a)];
    }
    return c;
}

/// Reference labelling: scan in raster order, flood-fill each new
/// foreground voxel with every neighbour of at most `k` non-zero steps.
std::vector<int32_t> floodFillLabels(const std::vector<uint8_t>& m,
                                     const std::vector<int64_t>& shape, int k) {
    const auto strides = stridesOf(shape);
    std::vector<int32_t> lab(m.size(), 0);
    int32_t next = 0;
    const size_t nd = shape.size();
    for (size_t seed = 0; seed < m.size(); ++seed) {
        if (!m[seed] || lab[seed])
            continue;
        lab[seed] = ++next;
        std::deque<int64_t> q{int64_t(seed)};
        while (!q.empty()) {
            const int64_t i = q.front();
            q.pop_front();
            const auto c = coordsOf(i, shape);
            int64_t combos = 1;
            for (size_t a = 0; a < nd; ++a)
                combos *= 3;
            for (int64_t code = 0; code < combos; ++code) {
                int64_t rest = code, j = 0, nonzero = 0;
                bool ok = true;
                for (size_t a = 0; a < nd; ++a) {
                    const int64_t d = rest % 3 - 1;
                    rest /= 3;
                    nonzero += d != 0;
                    const int64_t v = c[a] + d;
                    ok = ok && v >= 0 && v < shape[a];
                    j += v * strides[a];
                }
                if (!ok || nonzero == 0 || nonzero > k || !m[size_t(j)] || lab[size_t(j)])
                    continue;
                lab[size_t(j)] = next;
                q.push_back(j);
            }
        }
    }
    return lab;
}

/// Brute-force EDT: min over zero voxels of the physical distance.
std::vector<double> bruteEdt(const std::vector<uint8_t>& m, const std::vector<int64_t>& shape,
                             const std::vector<double>& spacing) {
    std::vector<double> out(m.size(), std::numeric_limits<double>::infinity());
    for (size_t i = 0; i < m.size(); ++i) {
        if (!m[i]) {
            out[i] = 0;
            continue;
        }
        const auto ci = coordsOf(int64_t(i), shape);
        for (size_t j = 0; j < m.size(); ++j) {
            if (m[j])
                continue;
            const auto cj = coordsOf(int64_t(j), shape);
            double d2 = 0;
            for (size_t a = 0; a < shape.size(); ++a) {
                const double d = double(ci[a] - cj[a]) * spacing[a];
                d2 += d * d;
            }
            out[i] = std::min(out[i], std::sqrt(d2));
        }
    }
    return out;
}

std::vector<uint8_t> randomMask(size_t n, double p, std::mt19937& gen) {
    std::bernoulli_distribution b(p);
    std::vector<uint8_t> m(n);
    for (auto& v : m)
        v = b(gen);
    return m;
}

at::Tensor maskTensor(const std::vector<uint8_t>& m, const std::vector<int64_t>& shape) {
    return torch::from_blob(const_cast<uint8_t*>(m.data()), shape, torch::kUInt8).clone();
}

} // namespace

class TestKernels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        // More slabs than cores: the merge pass across slab faces is exercised.
        torch::set_num_threads(4);
    }

    void connectedComponentsMatchFloodFill_data() {
        QTest::addColumn<std::vector<int64_t>>("shape");
        QTest::addColumn<int>("connectivity");
        QTest::addColumn<double>("density");
        for (int k = 1; k <= 3; ++k)
            for (double p : {0.3, 0.55}) {
                const QByteArray tag =
                    "3d k" + QByteArray::number(k) + " p" + QByteArray::number(p);
                QTest::newRow(tag.constData()) << std::vector<int64_t>{11, 9, 7} << k << p;
            }
        for (int k = 1; k <= 2; ++k)
            QTest::newRow(k == 1 ? "2d k1" : "2d k2") << std::vector<int64_t>{23, 17} << k << 0.5;
        QTest::newRow("4d k1") << std::vector<int64_t>{3, 6, 5, 4} << 1 << 0.5;
        QTest::newRow("4d k4") << std::vector<int64_t>{3, 6, 5, 4} << 4 << 0.3;
        QTest::newRow("singleton axis k3") << std::vector<int64_t>{1, 9, 8} << 2 << 0.5;
    }
    void connectedComponentsMatchFloodFill() {
        QFETCH(std::vector<int64_t>, shape);
        QFETCH(int, connectivity);
        QFETCH(double, density);
        std::mt19937 gen(1234u + unsigned(connectivity) * 17u + unsigned(shape.size()));
        int64_t n = 1;
        for (auto s : shape)
            n *= s;
        for (int trial = 0; trial < 5; ++trial) {
            const auto m = randomMask(size_t(n), density, gen);
            const auto want =
                floodFillLabels(m, shape, std::min<int>(connectivity, int(shape.size())));
            const auto got =
                kernels::connectedComponents(maskTensor(m, shape).to(torch::kFloat), connectivity);
            QCOMPARE(got.labels.scalar_type(), torch::kInt);
            QCOMPARE(got.labels.sizes().vec(), shape);
            const int32_t* g = got.labels.data_ptr<int32_t>();
            int32_t maxLabel = 0;
            std::vector<int64_t> sizes;
            for (int64_t i = 0; i < n; ++i) {
                QCOMPARE(g[i], want[size_t(i)]);
                maxLabel = std::max(maxLabel, want[size_t(i)]);
            }
            sizes.assign(size_t(maxLabel), 0);
            for (int64_t i = 0; i < n; ++i)
                if (want[size_t(i)])
                    ++sizes[size_t(want[size_t(i)] - 1)];
            QCOMPARE(got.count(), int64_t(maxLabel));
            QCOMPARE(got.sizes, sizes);
        }
    }

    void connectedComponentsClosedForm() {
        // Two voxels touching only at a corner: 26- but not 18-connected.
        at::Tensor m = torch::zeros({3, 3, 3});
        m[0][0][0] = 1;
        m[1][1][1] = 1;
        QCOMPARE(kernels::connectedComponents(m, 3).count(), int64_t(1));
        QCOMPARE(kernels::connectedComponents(m, 2).count(), int64_t(2));
        QCOMPARE(kernels::connectedComponents(m, 0).count(), int64_t(1)); // 0 = full
        QCOMPARE(kernels::connectedComponents(torch::zeros({4, 4}), 1).count(), int64_t(0));
        QCOMPARE(kernels::neighbourOffsets(3, 1).size(), size_t(6));
        QCOMPARE(kernels::neighbourOffsets(3, 2).size(), size_t(18));
        QCOMPARE(kernels::neighbourOffsets(3, 3).size(), size_t(26));
        QCOMPARE(kernels::neighbourOffsets(2, 2).size(), size_t(8));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, kernels::connectedComponents(m, 4));
    }

    void distanceTransformMatchesBruteForce_data() {
        QTest::addColumn<std::vector<int64_t>>("shape");
        QTest::addColumn<std::vector<double>>("spacing");
        QTest::addColumn<double>("density");
        QTest::newRow("3d iso") << std::vector<int64_t>{7, 6, 5} << std::vector<double>{1, 1, 1}
                                << 0.85;
        QTest::newRow("3d aniso") << std::vector<int64_t>{6, 7, 5}
                                  << std::vector<double>{0.7, 1.3, 2.1} << 0.9;
        QTest::newRow("3d sparse zeros")
            << std::vector<int64_t>{9, 5, 6} << std::vector<double>{2.5, 0.5, 1.0} << 0.97;
        QTest::newRow("2d iso") << std::vector<int64_t>{13, 11} << std::vector<double>{1, 1} << 0.8;
        QTest::newRow("2d aniso") << std::vector<int64_t>{12, 9} << std::vector<double>{0.3, 1.7}
                                  << 0.9;
        QTest::newRow("1d") << std::vector<int64_t>{31} << std::vector<double>{0.5} << 0.8;
    }
    void distanceTransformMatchesBruteForce() {
        QFETCH(std::vector<int64_t>, shape);
        QFETCH(std::vector<double>, spacing);
        QFETCH(double, density);
        std::mt19937 gen(99u + unsigned(shape[0]));
        int64_t n = 1;
        for (auto s : shape)
            n *= s;
        for (int trial = 0; trial < 4; ++trial) {
            auto m = randomMask(size_t(n), density, gen);
            m[size_t(gen() % uint32_t(n))] = 0; // at least one zero voxel
            const auto want = bruteEdt(m, shape, spacing);
            const at::Tensor got = kernels::distanceTransformEdt(maskTensor(m, shape), spacing);
            QCOMPARE(got.scalar_type(), torch::kDouble);
            const double* g = got.data_ptr<double>();
            for (int64_t i = 0; i < n; ++i)
                QVERIFY2(std::abs(g[i] - want[size_t(i)]) < 1e-9,
                         qPrintable(
                             QString("voxel %1: %2 vs %3").arg(i).arg(g[i]).arg(want[size_t(i)])));
            const at::Tensor sq =
                kernels::squaredDistanceTransformEdt(maskTensor(m, shape), spacing);
            QVERIFY((sq - got * got).abs().max().item<double>() < 1e-9);
        }
    }

    void distanceTransformBatchAndEdgeCases() {
        std::mt19937 gen(7);
        const std::vector<int64_t> shape{5, 6, 4};
        const auto a = randomMask(120, 0.8, gen), b = randomMask(120, 0.8, gen);
        at::Tensor batch = torch::stack({maskTensor(a, shape), maskTensor(b, shape)});
        const std::vector<double> sp{1.5, 1.0, 0.5};
        const at::Tensor got = kernels::distanceTransformEdt(batch, sp, 3);
        QVERIFY(torch::equal(got[0], kernels::distanceTransformEdt(maskTensor(a, shape), sp)));
        QVERIFY(torch::equal(got[1], kernels::distanceTransformEdt(maskTensor(b, shape), sp)));
        // No zero voxel: +inf everywhere; all zero: 0 everywhere.
        QVERIFY(
            torch::isinf(kernels::distanceTransformEdt(torch::ones({3, 4}))).all().item<bool>());
        QCOMPARE(kernels::distanceTransformEdt(torch::zeros({3, 4})).abs().sum().item<double>(),
                 0.0);
        // A single zero voxel at the origin: exact Euclidean distances.
        at::Tensor one = torch::ones({4, 5, 3});
        one[0][0][0] = 0;
        const at::Tensor d = kernels::distanceTransformEdt(one, {2.0, 1.0, 3.0});
        QCOMPARE(d[3][4][2].item<double>(), std::sqrt(36.0 + 16.0 + 36.0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 kernels::distanceTransformEdt(one, {1.0, 0.0, 1.0}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 kernels::distanceTransformEdt(one, {1.0, 1.0}));
    }

    void gaussianKernelClosedForm() {
        using kernels::GaussianApprox;
        // tail = int(max(sigma * 4, 0.5) + 0.5)
        QCOMPARE(kernels::gaussianKernel1d(1.0).size(), size_t(9));
        QCOMPARE(kernels::gaussianKernel1d(0.1).size(), size_t(3));
        QCOMPARE(kernels::gaussianKernel1d(1.2, 4.0).size(), size_t(11));
        // erf: the Gaussian mass of [x - 0.5, x + 0.5].
        const auto e = kernels::gaussianKernel1d(1.0);
        QVERIFY(std::abs(e[4] - 0.5 * (std::erf(0.5 / std::sqrt(2.0)) * 2)) < 1e-6);
        QVERIFY(std::abs(e[5] - 0.5 * (std::erf(1.5 / std::sqrt(2.0)) -
                                       std::erf(0.5 / std::sqrt(2.0)))) < 1e-6);
        // sampled: the density 1/(sqrt(2 pi) sigma) exp(-x^2 / (2 sigma^2)).
        const auto s = kernels::gaussianKernel1d(2.0, 4.0, GaussianApprox::Sampled);
        QCOMPARE(s.size(), size_t(17));
        QVERIFY(std::abs(s[8] - 1.0 / (std::sqrt(2 * M_PI) * 2.0)) < 1e-6);
        QVERIFY(std::abs(s[11] - std::exp(-9.0 / 8.0) / (std::sqrt(2 * M_PI) * 2.0)) < 1e-6);
        // scalespace: exp(-t) I_n(t), t = sigma^2 = 1; I0(1) = 1.2660658778,
        // I1(1) = 0.5651591040, I2(1) = 0.1357476698.
        const auto z = kernels::gaussianKernel1d(1.0, 4.0, GaussianApprox::ScaleSpace);
        QVERIFY(std::abs(z[4] - 1.2660658778 * std::exp(-1.0)) < 1e-6);
        QVERIFY(std::abs(z[3] - 0.5651591040 * std::exp(-1.0)) < 1e-6);
        QVERIFY(std::abs(z[6] - 0.1357476698 * std::exp(-1.0)) < 1e-6);
        // normalised kernels sum to 1
        double sum = 0;
        for (float v : kernels::gaussianKernel1d(0.7, 4.0, GaussianApprox::Erf, true))
            sum += v;
        QVERIFY(std::abs(sum - 1.0) < 1e-6);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, kernels::parseGaussianApprox("box"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, kernels::gaussianKernel1d(1.0, 0.0));
    }

    void gaussianFilterMatchesDirectConvolution_data() {
        QTest::addColumn<std::vector<int64_t>>("shape");
        QTest::addColumn<std::vector<double>>("sigma");
        QTest::addColumn<QString>("approx");
        QTest::newRow("3d erf aniso")
            << std::vector<int64_t>{2, 9, 8, 7} << std::vector<double>{0.6, 1.0, 1.4} << "erf";
        QTest::newRow("3d sampled")
            << std::vector<int64_t>{1, 6, 7, 8} << std::vector<double>{1.2} << "sampled";
        QTest::newRow("2d scalespace")
            << std::vector<int64_t>{3, 12, 10} << std::vector<double>{0.8, 1.5} << "scalespace";
        QTest::newRow("1d erf") << std::vector<int64_t>{2, 15} << std::vector<double>{2.0} << "erf";
    }
    void gaussianFilterMatchesDirectConvolution() {
        QFETCH(std::vector<int64_t>, shape);
        QFETCH(std::vector<double>, sigma);
        QFETCH(QString, approx);
        torch::manual_seed(3);
        const at::Tensor x = torch::randn(shape);
        const auto a = kernels::parseGaussianApprox(approx.toStdString());
        const at::Tensor got = kernels::gaussianFilter(x, sigma, a);
        const size_t nd = shape.size() - 1;
        std::vector<std::vector<float>> k;
        for (size_t d = 0; d < nd; ++d)
            k.push_back(kernels::gaussianKernel1d(sigma.size() == 1 ? sigma[0] : sigma[d], 4.0, a));
        // Direct N-D correlation with the outer-product kernel, zeros outside.
        std::vector<int64_t> sp(shape.begin() + 1, shape.end());
        int64_t n = 1;
        for (auto s : sp)
            n *= s;
        const at::Tensor xc = x.to(torch::kDouble).contiguous();
        const at::Tensor gc = got.to(torch::kDouble).contiguous();
        const double* xp = xc.data_ptr<double>();
        const double* gp = gc.data_ptr<double>();
        double worst = 0;
        for (int64_t c = 0; c < shape[0]; ++c)
            for (int64_t i = 0; i < n; ++i) {
                const auto ci = coordsOf(i, sp);
                double acc = 0;
                for (int64_t j = 0; j < n; ++j) {
                    const auto cj = coordsOf(j, sp);
                    double w = 1;
                    for (size_t d = 0; d < nd && w != 0; ++d) {
                        const int64_t r = int64_t(k[d].size() - 1) / 2;
                        const int64_t off = cj[d] - ci[d] + r;
                        w = off < 0 || off >= int64_t(k[d].size()) ? 0 : w * k[d][size_t(off)];
                    }
                    if (w != 0)
                        acc += w * xp[c * n + j];
                }
                worst = std::max(worst, std::abs(acc - gp[c * n + i]));
            }
        QVERIFY2(worst < 1e-5, qPrintable(QString("max abs diff %1").arg(worst)));
        QCOMPARE(got.sizes(), x.sizes());
    }

    void separableFilterLeavesInputAndChecksArguments() {
        const at::Tensor x = torch::rand({1, 5, 6, 4});
        const at::Tensor copy = x.clone();
        const at::Tensor y = kernels::separableFilter(x, {{0.25f, 0.5f, 0.25f}});
        QVERIFY(torch::equal(x, copy));
        QVERIFY(!y.is_same(x));
        // A delta kernel is the identity; a shift kernel moves values by one.
        QVERIFY(torch::equal(kernels::separableFilter(x, {{0.f, 1.f, 0.f}}), x));
        const at::Tensor s = kernels::separableFilter(x, {{0.f, 1.f, 0.f}, {0.f, 0.f, 1.f}, {1.f}});
        QVERIFY(torch::equal(s.narrow(2, 0, 5), x.narrow(2, 1, 5)));
        QCOMPARE(s.select(2, 5).abs().sum().item<double>(), 0.0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, kernels::separableFilter(x, {{1.f, 1.f}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 kernels::separableFilter(x, {{1.f}, {1.f}}));
    }
};

QTEST_GUILESS_MAIN(TestKernels)
#include "test_kernels.moc"
