/// DiceLoss on hand-computed cases and against MONAI's outputs.

#include "TestSupport.h"

#include "engine/core/Error.h"
#include "engine/losses/DiceLoss.h"
#include "engine/losses/Loss.h"

using namespace medulla;

class TestLosses : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void handComputed() {
        // one sample, one channel, 4 voxels: p = (1, 1, 0, 0), t = (1, 0, 0, 0)
        at::Tensor p = torch::tensor({1.f, 1.f, 0.f, 0.f}).view({1, 1, 2, 2});
        at::Tensor t = torch::tensor({1.f, 0.f, 0.f, 0.f}).view({1, 1, 2, 2});
        DiceLoss plain(DiceLossOptions().smooth_nr(0).smooth_dr(0));
        // 1 - 2*1 / (1 + 2) = 1/3
        QVERIFY(std::fabs(plain(p, t).item<double>() - 1.0 / 3.0) < 1e-6);
        DiceLoss jac(DiceLossOptions().smooth_nr(0).smooth_dr(0).jaccard(true));
        // 1 - 2*1 / (2*(3 - 1)) = 0.5
        QVERIFY(std::fabs(jac(p, t).item<double>() - 0.5) < 1e-6);
        // perfect prediction -> 0; with default smoothing, empty vs empty -> 0
        QVERIFY(DiceLoss{DiceLossOptions()}(t, t).item<double>() < 1e-5);
        QVERIFY(
            DiceLoss{DiceLossOptions()}(torch::zeros_like(t), torch::zeros_like(t)).item<double>() <
            1e-6);
        // softmax + one-hot on 2 channels with huge logits equals hard Dice
        at::Tensor logits =
            torch::tensor({50.f, 50.f, -50.f, -50.f, -50.f, -50.f, 50.f, 50.f}).view({1, 2, 2, 2});
        at::Tensor labels = torch::tensor({0.f, 1.f, 1.f, 1.f}).view({1, 1, 2, 2});
        // predicted fg = voxels 2,3; true fg = 1,2,3 -> fg dice 2*2/(2+3)=0.8;
        // bg: pred 0,1 true 0 -> 2*1/(2+1)=2/3; mean loss = 1 - (0.8 + 2/3)/2
        DiceLoss sm(DiceLossOptions().softmax(true).to_onehot_y(true).smooth_nr(0).smooth_dr(0));
        QVERIFY(std::fabs(sm(logits, labels).item<double>() - (1 - (0.8 + 2.0 / 3.0) / 2)) < 1e-5);
        DiceLoss fgOnly(DiceLossOptions()
                            .softmax(true)
                            .to_onehot_y(true)
                            .include_background(false)
                            .smooth_nr(0)
                            .smooth_dr(0));
        QVERIFY(std::fabs(fgOnly(logits, labels).item<double>() - 0.2) < 1e-5);
    }

    void shapeErrors() {
        DiceLoss l{DiceLossOptions()};
        QVERIFY_THROWS_EXCEPTION(ShapeError,
                                 l(torch::rand({1, 2, 4, 4}), torch::rand({1, 3, 4, 4})));
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 DiceLoss(DiceLossOptions().sigmoid(true).softmax(true)));
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, lossRegistry().create({{"name", "DiceLoss"}, {"softmx", true}}, "loss"));
    }

    void parity_data() {
        QTest::addColumn<QString>("caseId");
        for (int i = 1; i <= 9; ++i) {
            const QString id = QString("loss_diceloss_%1").arg(i, 2, 10, QChar('0'));
            QTest::newRow(qPrintable(id)) << id;
        }
    }
    void parity() {
        QFETCH(QString, caseId);
        const auto c = test::parityCase(caseId.toStdString());
        Json cfg = c["params"];
        cfg["name"] = "DiceLoss";
        auto loss = lossRegistry().create(cfg, "loss");
        at::Tensor input = test::parityArray(c, "inputs", "input").requires_grad_();
        at::Tensor target = test::parityArray(c, "inputs", "target");
        at::Tensor out = (*loss)(input, target);
        out.sum().backward();
        at::Tensor want = test::parityArray(c, "outputs", "loss");
        if (out.dim() == 0) { // reduced losses are 0-d; the reference stores them as (1,)
            QCOMPARE(want.numel(), int64_t(1));
            want = want.reshape({});
        }
        std::string why;
        QVERIFY2(test::allClose(out, want, c["rtol"], c["atol"], &why), why.c_str());
        QVERIFY2(test::allClose(input.grad(), test::parityArray(c, "outputs", "grad_input"),
                                c["rtol"], c["atol"], &why),
                 why.c_str());
    }
};

QTEST_GUILESS_MAIN(TestLosses)
#include "test_losses.moc"
