/// FastConv: gradients computed as forward convolutions equal ATen's
/// convolution_backward (float64, and float32 within rounding) for
/// convolutions and transposed convolutions of every stride, padding and
/// kernel the networks use, with and without bias, planar and channels-last.

#include "TestSupport.h"

#include "engine/networks/FastConv.h"

using namespace medulla;

namespace {
struct Grads {
    at::Tensor y, gx, gw, gb;
};

Grads run(bool fast, const at::Tensor& x0, const at::Tensor& w0, const at::Tensor& b0,
          std::vector<int64_t> stride, std::vector<int64_t> padding, bool transposed,
          std::vector<int64_t> outputPadding, const at::Tensor& gy) {
    at::Tensor x = x0.detach().clone(x0.suggest_memory_format()).requires_grad_(true);
    at::Tensor w = w0.detach().clone(w0.suggest_memory_format()).requires_grad_(true);
    at::Tensor b = b0.defined() ? b0.detach().clone().requires_grad_(true) : at::Tensor();
    at::Tensor y =
        fast ? fastConvolution(x, w, b, stride, padding, transposed, outputPadding)
             : at::convolution(x, w, b, stride, padding, {1, 1, 1}, transposed, outputPadding, 1);
    (y * gy.to(y.dtype())).sum().backward();
    return {y.detach(), x.grad(), w.grad(), b.defined() ? b.grad() : at::Tensor()};
}
} // namespace

class TestFastConv : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesAten_data() {
        QTest::addColumn<bool>("transposed");
        QTest::addColumn<QList<int>>("kernel");
        QTest::addColumn<QList<int>>("stride");
        QTest::addColumn<QList<int>>("padding");
        QTest::addColumn<QList<int>>("outputPadding");
        QTest::addColumn<bool>("bias");
        QTest::addColumn<bool>("channelsLast");
        using L = QList<int>;
        QTest::newRow("k3 s1 p1") << false << L{3, 3, 3} << L{1, 1, 1} << L{1, 1, 1} << L{0, 0, 0}
                                  << true << false;
        QTest::newRow("k3 s1 p1 no bias CL")
            << false << L{3, 3, 3} << L{1, 1, 1} << L{1, 1, 1} << L{0, 0, 0} << false << true;
        QTest::newRow("k3 s2 p1") << false << L{3, 3, 3} << L{2, 2, 2} << L{1, 1, 1} << L{0, 0, 0}
                                  << true << false;
        QTest::newRow("k3 s2 p1 CL")
            << false << L{3, 3, 3} << L{2, 2, 2} << L{1, 1, 1} << L{0, 0, 0} << true << true;
        QTest::newRow("k1 s1 p0") << false << L{1, 1, 1} << L{1, 1, 1} << L{0, 0, 0} << L{0, 0, 0}
                                  << true << false;
        QTest::newRow("k5 s1 p2") << false << L{5, 5, 5} << L{1, 1, 1} << L{2, 2, 2} << L{0, 0, 0}
                                  << false << false;
        QTest::newRow("k1 s1 p1 (padding > k - 1)")
            << false << L{1, 1, 3} << L{1, 1, 1} << L{1, 1, 1} << L{0, 0, 0} << true << false;
        QTest::newRow("k3 s1 p0 (valid)")
            << false << L{3, 3, 3} << L{1, 1, 1} << L{0, 0, 0} << L{0, 0, 0} << true << false;
        QTest::newRow("aniso k331 s221")
            << false << L{3, 3, 1} << L{2, 2, 1} << L{1, 1, 0} << L{0, 0, 0} << true << false;
        QTest::newRow("k2 s2 p0") << false << L{2, 2, 2} << L{2, 2, 2} << L{0, 0, 0} << L{0, 0, 0}
                                  << true << false;
        QTest::newRow("k3 s3 p1 (uneven)")
            << false << L{3, 3, 3} << L{3, 3, 3} << L{1, 1, 1} << L{0, 0, 0} << true << false;
        QTest::newRow("T k3 s2 p1 op1")
            << true << L{3, 3, 3} << L{2, 2, 2} << L{1, 1, 1} << L{1, 1, 1} << true << false;
        QTest::newRow("T k3 s2 p1 op1 CL")
            << true << L{3, 3, 3} << L{2, 2, 2} << L{1, 1, 1} << L{1, 1, 1} << true << true;
        QTest::newRow("T k2 s2 p0 no bias")
            << true << L{2, 2, 2} << L{2, 2, 2} << L{0, 0, 0} << L{0, 0, 0} << false << false;
        QTest::newRow("T k3 s1 p1")
            << true << L{3, 3, 3} << L{1, 1, 1} << L{1, 1, 1} << L{0, 0, 0} << true << false;
        QTest::newRow("T aniso k331 s221")
            << true << L{3, 3, 1} << L{2, 2, 1} << L{1, 1, 0} << L{1, 1, 0} << true << false;
        QTest::newRow("T k4 s2 p1")
            << true << L{4, 4, 4} << L{2, 2, 2} << L{1, 1, 1} << L{0, 0, 0} << true << false;
    }
    void matchesAten() {
        QFETCH(bool, transposed);
        QFETCH(QList<int>, kernel);
        QFETCH(QList<int>, stride);
        QFETCH(QList<int>, padding);
        QFETCH(QList<int>, outputPadding);
        QFETCH(bool, bias);
        QFETCH(bool, channelsLast);
        auto v = [](const QList<int>& l) { return std::vector<int64_t>(l.begin(), l.end()); };
        torch::manual_seed(3);
        for (auto dtype : {torch::kDouble, torch::kFloat}) {
            const int64_t cin = 3, cout = 4;
            at::Tensor x = torch::randn({2, cin, 9, 8, 7}, dtype);
            std::vector<int64_t> wshape =
                transposed ? std::vector<int64_t>{cin, cout} : std::vector<int64_t>{cout, cin};
            for (int k : kernel)
                wshape.push_back(k);
            at::Tensor w = torch::randn(wshape, dtype);
            at::Tensor b = bias ? torch::randn({cout}, dtype) : at::Tensor();
            if (channelsLast) {
                x = x.contiguous(at::MemoryFormat::ChannelsLast3d);
                w = w.contiguous(at::MemoryFormat::ChannelsLast3d);
            }
            const at::Tensor y0 = at::convolution(x, w, b, v(stride), v(padding), {1, 1, 1},
                                                  transposed, v(outputPadding), 1);
            const at::Tensor gy = torch::randn(y0.sizes(), dtype);
            const Grads ref =
                run(false, x, w, b, v(stride), v(padding), transposed, v(outputPadding), gy);
            const Grads got =
                run(true, x, w, b, v(stride), v(padding), transposed, v(outputPadding), gy);
            const double tol = dtype == torch::kDouble ? 1e-10 : 2e-4;
            std::string why;
            QVERIFY2(test::allClose(got.y, ref.y, tol, tol, &why), ("output " + why).c_str());
            QVERIFY2(test::allClose(got.gx, ref.gx, tol, tol, &why), ("grad x " + why).c_str());
            QVERIFY2(test::allClose(got.gw, ref.gw, tol, tol, &why), ("grad w " + why).c_str());
            QCOMPARE(got.gw.sizes(), ref.gw.sizes());
            if (bias)
                QVERIFY2(test::allClose(got.gb, ref.gb, tol, tol, &why), ("grad b " + why).c_str());
        }
    }

    void modulesKeepTorchsParametersAndFallBackWithoutGrad() {
        FastConv3d conv(torch::nn::Conv3dOptions(2, 3, 3).padding(1));
        QVERIFY(conv->as<torch::nn::Conv3dImpl>() != nullptr);
        QCOMPARE(conv->named_parameters().size(), size_t(2));
        QVERIFY(conv->named_parameters().contains("weight"));
        const at::Tensor x = torch::randn({1, 2, 5, 5, 5});
        torch::NoGradGuard guard; // eval path: ATen's own
        QVERIFY(torch::allclose(conv(x), torch::conv3d(x, conv->weight, conv->bias, 1, 1)));
        FastConvTranspose3d up(
            torch::nn::ConvTranspose3dOptions(3, 2, 3).stride(2).padding(1).output_padding(1));
        QCOMPARE(up(torch::randn({1, 3, 4, 4, 4})).sizes(), (c10::IntArrayRef{1, 2, 8, 8, 8}));
    }
};

QTEST_GUILESS_MAIN(TestFastConv)
#include "test_fast_conv.moc"
