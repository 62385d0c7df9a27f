/// convTranspose (polyphase transposed convolution): outputs and the
/// gradients of input, weight and bias against at::convolution(transposed),
/// in float32 and float64, for 1D, 2D and 3D kernels, strides, paddings,
/// output paddings, dilations and groups.

#include "TestSupport.h"

#include "engine/networks/FastConvTranspose.h"

#include <set>

using namespace medulla;

namespace {
using Ints = QList<int>;

std::vector<int64_t> vec(const Ints& v) {
    return std::vector<int64_t>(v.begin(), v.end());
}

/// |got - want| <= tol * (|want| + max |want|) everywhere.
void expectClose(const at::Tensor& got, const at::Tensor& want, double tol, const char* what) {
    QVERIFY2(got.defined() && want.defined(), what);
    const double scale = want.abs().max().item<double>();
    std::string why;
    const bool ok = test::allClose(got, want, tol, tol * scale, &why);
    QVERIFY2(ok, (std::string(what) + ": " + why).c_str());
}

/// Whether the autograd graph behind `y` has a node named `name`.
bool graphHas(const at::Tensor& y, const std::string& name) {
    std::vector<torch::autograd::Node*> todo = {y.grad_fn().get()};
    std::set<torch::autograd::Node*> seen;
    while (!todo.empty()) {
        torch::autograd::Node* node = todo.back();
        todo.pop_back();
        if (!node || !seen.insert(node).second)
            continue;
        if (node->name() == name)
            return true;
        for (const auto& edge : node->next_edges())
            todo.push_back(edge.function.get());
    }
    return false;
}
} // namespace

class TestFastConvTranspose : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesATen_data() {
        QTest::addColumn<Ints>("input");    // [N, Cin, *spatial]
        QTest::addColumn<int>("cout");      // output channels
        QTest::addColumn<Ints>("kernel");   // per spatial dimension
        QTest::addColumn<Ints>("stride");   // per dimension or one value
        QTest::addColumn<Ints>("padding");  // per dimension or one value
        QTest::addColumn<Ints>("outPad");   // per dimension or one value
        QTest::addColumn<Ints>("dilation"); // per dimension or one value
        QTest::addColumn<int>("groups");
        QTest::addColumn<bool>("bias");

        // 3D
        QTest::newRow("3D k2 s2") << Ints{2, 3, 4, 5, 3} << 4 << Ints{2, 2, 2} << Ints{2} << Ints{0}
                                  << Ints{0} << Ints{1} << 1 << true;
        QTest::newRow("3D k3 s2 p1 op1 (UNet up)")
            << Ints{2, 5, 4, 3, 5} << 3 << Ints{3, 3, 3} << Ints{2} << Ints{1} << Ints{1} << Ints{1}
            << 1 << true;
        QTest::newRow("3D k3 s2 p1 op0 (odd length)")
            << Ints{1, 3, 4, 5, 3} << 2 << Ints{3, 3, 3} << Ints{2} << Ints{1} << Ints{0} << Ints{1}
            << 1 << true;
        QTest::newRow("3D k3 s1 p1") << Ints{2, 4, 5, 4, 6} << 3 << Ints{3, 3, 3} << Ints{1}
                                     << Ints{1} << Ints{0} << Ints{1} << 1 << true;
        QTest::newRow("3D k3 s1 p0") << Ints{1, 2, 3, 4, 3} << 3 << Ints{3, 3, 3} << Ints{1}
                                     << Ints{0} << Ints{0} << Ints{1} << 1 << false;
        QTest::newRow("3D k4 s2 p1") << Ints{2, 3, 3, 4, 5} << 2 << Ints{4, 4, 4} << Ints{2}
                                     << Ints{1} << Ints{0} << Ints{1} << 1 << true;
        QTest::newRow("3D k1 s1") << Ints{2, 4, 3, 4, 5} << 3 << Ints{1, 1, 1} << Ints{1} << Ints{0}
                                  << Ints{0} << Ints{1} << 1 << true;
        QTest::newRow("3D k1 s2 (bias-only phases)")
            << Ints{2, 3, 3, 4, 2} << 2 << Ints{1, 1, 1} << Ints{2} << Ints{0} << Ints{1} << Ints{1}
            << 1 << true;
        QTest::newRow("3D k3,3,1 s2,2,1 p1,1,0 op1,1,0 (anisotropic)")
            << Ints{2, 3, 4, 5, 3} << 4 << Ints{3, 3, 1} << Ints{2, 2, 1} << Ints{1, 1, 0}
            << Ints{1, 1, 0} << Ints{1} << 1 << true;
        QTest::newRow("3D k3 s2,2,1 p1")
            << Ints{1, 2, 4, 3, 5} << 3 << Ints{3, 3, 3} << Ints{2, 2, 1} << Ints{1}
            << Ints{1, 1, 0} << Ints{1} << 1 << true;
        QTest::newRow("3D k3 s3 p2 op2") << Ints{1, 2, 3, 4, 3} << 2 << Ints{3, 2, 4} << Ints{3}
                                         << Ints{2, 0, 1} << Ints{2, 1, 0} << Ints{1} << 1 << true;
        QTest::newRow("3D k3 s2 dilation 2") << Ints{1, 2, 4, 5, 3} << 3 << Ints{3, 3, 3} << Ints{2}
                                             << Ints{1} << Ints{1} << Ints{2} << 1 << true;
        QTest::newRow("3D k3 s2 groups 2") << Ints{2, 4, 3, 4, 3} << 6 << Ints{3, 3, 3} << Ints{2}
                                           << Ints{1} << Ints{1} << Ints{1} << 2 << true;

        // 2D
        QTest::newRow("2D k2 s2") << Ints{2, 3, 5, 4} << 4 << Ints{2, 2} << Ints{2} << Ints{0}
                                  << Ints{0} << Ints{1} << 1 << true;
        QTest::newRow("2D k3 s2 p1 op1") << Ints{2, 4, 6, 5} << 3 << Ints{3, 3} << Ints{2}
                                         << Ints{1} << Ints{1} << Ints{1} << 1 << true;
        QTest::newRow("2D k3 s1 p1") << Ints{2, 3, 7, 6} << 5 << Ints{3, 3} << Ints{1} << Ints{1}
                                     << Ints{0} << Ints{1} << 1 << false;
        QTest::newRow("2D k4 s2 p1") << Ints{1, 3, 5, 6} << 2 << Ints{4, 4} << Ints{2} << Ints{1}
                                     << Ints{0} << Ints{1} << 1 << true;
        QTest::newRow("2D k1 s1") << Ints{2, 3, 4, 5} << 4 << Ints{1, 1} << Ints{1} << Ints{0}
                                  << Ints{0} << Ints{1} << 1 << true;
        QTest::newRow("2D k3,1 s2,1 (anisotropic)")
            << Ints{2, 3, 5, 6} << 2 << Ints{3, 1} << Ints{2, 1} << Ints{1, 0} << Ints{1, 0}
            << Ints{1} << 1 << true;
        QTest::newRow("2D k5 s3 p2 op1") << Ints{1, 2, 4, 5} << 3 << Ints{5, 5} << Ints{3}
                                         << Ints{2} << Ints{1} << Ints{1} << 1 << true;
        QTest::newRow("2D k2 s3 (gaps)") << Ints{1, 2, 4, 3} << 2 << Ints{2, 2} << Ints{3}
                                         << Ints{0} << Ints{2} << Ints{1} << 1 << true;
        QTest::newRow("2D k3 s2 dilation 3") << Ints{1, 2, 5, 4} << 3 << Ints{3, 3} << Ints{2}
                                             << Ints{2} << Ints{1} << Ints{3} << 1 << true;
        QTest::newRow("2D k3 s4 dilation 2, p5") << Ints{2, 2, 5, 4} << 2 << Ints{3, 3} << Ints{4}
                                                 << Ints{5} << Ints{1} << Ints{2} << 1 << true;
        QTest::newRow("2D k3 s2 groups 3 depthwise")
            << Ints{2, 3, 5, 4} << 3 << Ints{3, 3} << Ints{2} << Ints{1} << Ints{1} << Ints{1} << 3
            << true;

        // 1D
        QTest::newRow("1D k3 s2 p1 op1") << Ints{2, 3, 7} << 2 << Ints{3} << Ints{2} << Ints{1}
                                         << Ints{1} << Ints{1} << 1 << true;
        QTest::newRow("1D k7 s3 p4 op2 d1") << Ints{2, 2, 6} << 3 << Ints{7} << Ints{3} << Ints{4}
                                            << Ints{2} << Ints{1} << 1 << true;
    }
    void matchesATen() {
        QFETCH(Ints, input);
        QFETCH(int, cout);
        QFETCH(Ints, kernel);
        QFETCH(Ints, stride);
        QFETCH(Ints, padding);
        QFETCH(Ints, outPad);
        QFETCH(Ints, dilation);
        QFETCH(int, groups);
        QFETCH(bool, bias);
        const auto s = vec(stride), p = vec(padding), op = vec(outPad), d = vec(dilation);
        std::vector<int64_t> wShape = {input[1], cout / groups};
        for (int k : kernel)
            wShape.push_back(k);

        for (auto dtype : {at::kFloat, at::kDouble}) {
            torch::manual_seed(7);
            const auto opts = at::TensorOptions().dtype(dtype);
            at::Tensor x0 = torch::randn(vec(input), opts);
            at::Tensor w0 = torch::randn(wShape, opts);
            at::Tensor b0 = bias ? torch::randn({cout}, opts) : at::Tensor();
            const double tol = dtype == at::kFloat ? 1e-5 : 1e-12;

            auto run = [&](ConvTransposeMethod method) {
                at::Tensor x = x0.clone().requires_grad_(true);
                at::Tensor w = w0.clone().requires_grad_(true);
                at::Tensor b = bias ? b0.clone().requires_grad_(true) : at::Tensor();
                at::Tensor y = convTranspose(x, w, b, s, p, op, d, groups, method);
                const bool decomposed = graphHas(y, "FlipBackward0");
                torch::manual_seed(11);
                at::Tensor g = torch::randn(y.sizes(), opts);
                (y * g).sum().backward();
                return std::make_pair(decomposed,
                                      std::vector<at::Tensor>{y.detach(), x.grad(), w.grad(),
                                                              bias ? b.grad() : at::Tensor()});
            };
            const auto want = run(ConvTransposeMethod::ATen).second;
            for (auto method : {ConvTransposeMethod::Phases, ConvTransposeMethod::FusedPhases}) {
                const auto [decomposed, got] = run(method);
                QVERIFY2(decomposed, "took the ATen fallback");
                const std::string tag =
                    method == ConvTransposeMethod::Phases ? "phases: " : "fused: ";
                expectClose(got[0], want[0], tol, (tag + "output").c_str());
                expectClose(got[1], want[1], tol, (tag + "input gradient").c_str());
                expectClose(got[2], want[2], tol, (tag + "weight gradient").c_str());
                if (bias)
                    expectClose(got[3], want[3], tol, (tag + "bias gradient").c_str());
            }
        }
    }

    void channelsLastInput() {
        torch::manual_seed(3);
        at::Tensor x = torch::randn({2, 4, 5, 6, 3}).contiguous(at::MemoryFormat::ChannelsLast3d);
        at::Tensor w = torch::randn({4, 3, 3, 3, 3}), b = torch::randn({3});
        at::Tensor want = at::convolution(x, w, b, {2}, {1}, {1}, true, {1}, 1);
        expectClose(convTranspose(x, w, b, {2}, {1}, {1}, {1}, 1), want, 1e-5, "channels last");
        expectClose(convTranspose(x, w, b, {2}, {1}, {1}, {1}, 1, ConvTransposeMethod::FusedPhases),
                    want, 1e-5, "channels last, fused");
    }

    void invalidArgumentsThrowLikeATen() {
        at::Tensor x = torch::randn({1, 2, 4, 4}), w = torch::randn({2, 3, 3, 3});
        // output padding must be smaller than stride or dilation
        QVERIFY_THROWS_EXCEPTION(c10::Error, convTranspose(x, w, {}, {2}, {1}, {2}, {1}, 1));
        // weight's first dimension is the input channel count
        QVERIFY_THROWS_EXCEPTION(
            c10::Error, convTranspose(x, torch::randn({3, 3, 3, 3}), {}, {2}, {1}, {1}, {1}, 1));
        // wrong bias length
        QVERIFY_THROWS_EXCEPTION(c10::Error,
                                 convTranspose(x, w, torch::randn({4}), {2}, {1}, {1}, {1}, 1));
    }
};

QTEST_MAIN(TestFastConvTranspose)
#include "test_fast_conv_transpose.moc"
