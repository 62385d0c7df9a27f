/// The Dice family on tiny hand-computed cases: DiceLoss, GeneralizedDiceLoss,
/// GeneralizedWassersteinDiceLoss, MaskedDiceLoss and TverskyLoss (values,
/// MONAI's unreduced shapes, float32/float64, a finite-difference gradient,
/// registry round trips and the errors users can cause). MONAI's own outputs
/// are checked by the parity_losses tests.

#include "LossTestSupport.h"

#include "engine/losses/GeneralizedDiceLoss.h"

using namespace medulla;
using namespace medulla::test;

namespace {

// Two samples, two classes, 2x2x1 voxels, probabilities (no activation):
// sample 0: p0 = (.9, .2, .6, .1), p1 = 1 - p0, labels (0, 1, 0, 1);
// sample 1: p0 = .75, p1 = .25 everywhere, labels all 0 (class 1 absent).
at::Tensor probs() {
    at::Tensor p0 =
        torch::tensor({0.9, 0.2, 0.6, 0.1, 0.75, 0.75, 0.75, 0.75}).view({2, 1, 2, 2, 1});
    return torch::cat({p0, 1 - p0}, 1).to(torch::kFloat);
}
at::Tensor labels() {
    return torch::tensor({0.f, 1.f, 0.f, 1.f, 0.f, 0.f, 0.f, 0.f}).view({2, 1, 2, 2, 1});
}
Json noSmooth(Json j = Json::object()) {
    j["smooth_nr"] = 0;
    j["smooth_dr"] = 0;
    return j;
}
std::vector<int64_t> shape(const at::Tensor& t) {
    return t.sizes().vec();
}

} // namespace

class TestLossesDice : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void diceClosedForm() {
        // Per sample and class 1 - 2|X.Y| / (|X| + |Y|):
        // s0 c0: inter 1.5, |X| 1.8, |Y| 2 -> 0.8/3.8; s0 c1: 1.7, 2.2, 2 -> 0.8/4.2
        // s1 c0: inter 3, |X| 3, |Y| 4 -> 1/7;         s1 c1: 0, 1, 0 -> 1
        const double d00 = 0.8 / 3.8, d01 = 0.8 / 4.2, d10 = 1.0 / 7, d11 = 1;
        auto none =
            (*makeLoss("DiceLoss", noSmooth({{"to_onehot_y", true}, {"reduction", "none"}})))(
                probs(), labels());
        QCOMPARE(shape(none), (std::vector<int64_t>{2, 2, 1, 1, 1})); // MONAI's (B, C, 1, 1, 1)
        QVERIFY(
            torch::allclose(none.flatten(), torch::tensor({d00, d01, d10, d11}).to(torch::kFloat)));
        QVERIFY(near(
            scalar((*makeLoss("DiceLoss", noSmooth({{"to_onehot_y", true}})))(probs(), labels())),
            (d00 + d01 + d10 + d11) / 4));
        // weight [2, 1], sum: 2 (d00 + d10) + d01 + d11
        QVERIFY(near(
            scalar((*makeLoss("DiceLoss", noSmooth({{"to_onehot_y", true},
                                                    {"weight", {2, 1}},
                                                    {"reduction", "sum"}})))(probs(), labels())),
            2 * (d00 + d10) + d01 + d11));
        // without the background: mean of class 1
        QVERIFY(near(scalar((*makeLoss("DiceLoss", noSmooth({{"to_onehot_y", true},
                                                             {"include_background", false}})))(
                         probs(), labels())),
                     (d01 + d11) / 2));
        // batch: c0 inter 4.5, |X| 4.8, |Y| 6 -> 1.8/10.8; c1 1.7, 3.2, 2 -> 1.8/5.2
        auto batch = (*makeLoss(
            "DiceLoss", noSmooth({{"to_onehot_y", true}, {"batch", true}, {"reduction", "none"}})))(
            probs(), labels());
        QCOMPARE(shape(batch), (std::vector<int64_t>{2, 1, 1, 1})); // (C, 1, 1, 1)
        QVERIFY(torch::allclose(batch.flatten(),
                                torch::tensor({1.8 / 10.8, 1.8 / 5.2}).to(torch::kFloat)));
        // s0 c0 squared: |X|^2 = .81 + .04 + .36 + .01 = 1.22 -> 1 - 3/3.22;
        // Jaccard: 1 - 2*1.5 / (2 (3.8 - 1.5)) = 1.6/4.6
        auto sq = (*makeLoss("DiceLoss", noSmooth({{"to_onehot_y", true},
                                                   {"squared_pred", true},
                                                   {"reduction", "none"}})))(probs(), labels());
        QVERIFY(near(scalar(sq[0][0].squeeze()), 0.22 / 3.22));
        auto jac = (*makeLoss("DiceLoss", noSmooth({{"to_onehot_y", true},
                                                    {"jaccard", true},
                                                    {"reduction", "none"}})))(probs(), labels());
        QVERIFY(near(scalar(jac[0][0].squeeze()), 1.6 / 4.6));
    }

    void diceActivations() {
        // logits = log(p): softmax gives p back; other_act "softmax" is the same.
        const at::Tensor logits = probs().log();
        const double want =
            scalar((*makeLoss("DiceLoss", {{"to_onehot_y", true}}))(probs(), labels()));
        QVERIFY(near(scalar((*makeLoss("DiceLoss", {{"to_onehot_y", true}, {"softmax", true}}))(
                         logits, labels())),
                     want));
        QVERIFY(near(scalar((*makeLoss("DiceLoss", {{"to_onehot_y", true},
                                                    {"other_act", "softmax"}}))(logits, labels())),
                     want));
        // sigmoid(logit(p)) = p; other_act null is no activation
        const at::Tensor logit = (probs() / (1 - probs())).log();
        QVERIFY(near(scalar((*makeLoss("DiceLoss", {{"to_onehot_y", true}, {"sigmoid", true}}))(
                         logit, labels())),
                     want));
        QVERIFY(near(scalar((*makeLoss("DiceLoss", {{"to_onehot_y", true},
                                                    {"other_act", nullptr}}))(probs(), labels())),
                     want));
    }

    void generalizedDiceClosedForm() {
        // square weights 1/|Y_c|^2; s0: |Y| = (2, 2) -> w = 1/4 each:
        //   1 - 2 (1.5 + 1.7)/4 / ((3.8 + 4.2)/4) = 0.2
        // s1: |Y| = (4, 0) -> w = (1/16, inf -> 1/16, the largest finite weight):
        //   1 - 2*3/16 / ((7 + 1)/16) = 0.25 (1/7 if the absent class weighed 0)
        auto none = (*makeLoss("GeneralizedDiceLoss",
                               noSmooth({{"to_onehot_y", true}, {"reduction", "none"}})))(probs(),
                                                                                          labels());
        QCOMPARE(shape(none), (std::vector<int64_t>{2, 1, 1, 1, 1})); // MONAI's (B, 1, 1, 1, 1)
        QVERIFY(torch::allclose(none.flatten(), torch::tensor({0.2f, 0.25f})));
        // batch: |Y| = (6, 2) -> w = (1/36, 1/4); inter (4.5, 1.7); |X| + |Y| = (10.8, 5.2)
        //   1 - 2 (4.5/36 + 1.7/4) / (10.8/36 + 5.2/4) = 1 - 1.1/1.6
        QVERIFY(near(scalar((*makeLoss("GeneralizedDiceLoss",
                                       noSmooth({{"to_onehot_y", true}, {"batch", true}})))(
                         probs(), labels())),
                     1 - 1.1 / 1.6));
        // simple (1/|Y|) and uniform weights are equal within each sample here
        for (const char* w : {"simple", "uniform"})
            QVERIFY(near(scalar((*makeLoss("GeneralizedDiceLoss",
                                           noSmooth({{"to_onehot_y", true}, {"w_type", w}})))(
                             probs(), labels())),
                         (0.2 + 0.25) / 2));
    }

    void tverskyClosedForm() {
        // s0, alpha .3 (FP), beta .7 (FN): c0 TP 1.5, FP .2 + .1, FN .1 + .4 -> 1 - 1.5/1.94;
        // c1 TP 1.7, FP .5, FN .3 -> 1 - 1.7/2.06. s1 c1: TP 0 -> 1.
        auto none =
            (*makeLoss("TverskyLoss", noSmooth({{"to_onehot_y", true},
                                                {"alpha", 0.3},
                                                {"beta", 0.7},
                                                {"reduction", "none"}})))(probs(), labels());
        QCOMPARE(shape(none), (std::vector<int64_t>{2, 2})); // MONAI's (B, C)
        QVERIFY(near(scalar(none[0][0]), 0.44 / 1.94));
        QVERIFY(near(scalar(none[0][1]), 0.36 / 2.06));
        QVERIFY(near(scalar(none[1][1]), 1.0));
        // alpha = beta = 1/2 is Dice (without smoothing)
        QVERIFY(near(
            scalar(
                (*makeLoss("TverskyLoss", noSmooth({{"to_onehot_y", true}})))(probs(), labels())),
            scalar((*makeLoss("DiceLoss", noSmooth({{"to_onehot_y", true}})))(probs(), labels()))));
    }

    void maskedDice() {
        // mask (1, 1, 0, 0) on s0 only (batch of 1), one-hot target:
        // c0: X (.9, .2), Y (1, 0) -> 1 - 1.8/2.1; c1: X (.1, .8), Y (0, 1) -> 1 - 1.6/1.9
        auto loss = makeLoss("MaskedDiceLoss", noSmooth());
        const at::Tensor mask = torch::tensor({1.f, 1.f, 0.f, 0.f}).view({1, 1, 2, 2, 1});
        const at::Tensor p = probs().slice(0, 0, 1), y = labels().slice(0, 0, 1);
        const at::Tensor onehot = torch::cat({1 - y, y}, 1);
        QVERIFY(near(scalar(loss->masked(p, onehot, mask)), (0.3 / 2.1 + 0.3 / 1.9) / 2));
        // With to_onehot_y the label map is masked first, as MONAI: masked
        // voxels read as class 0, so Y0 = (1, 0, 1, 1): c0 1 - 1.8/(1.1 + 3)
        auto labelled = makeLoss("MaskedDiceLoss", noSmooth({{"to_onehot_y", true}}));
        QVERIFY(near(scalar(labelled->masked(p, y, mask)), (2.3 / 4.1 + 0.3 / 1.9) / 2));
        // As MONAI, the logits are masked before the sigmoid: a masked voxel
        // counts sigmoid(0) = 1/2. X = (sigmoid(20), 1/2), Y = (1, 0) -> 1 - 2/2.5
        auto sig = makeLoss("MaskedDiceLoss", noSmooth({{"sigmoid", true}}));
        const at::Tensor x = torch::tensor({20.0, 5.0}).view({1, 1, 2});
        QVERIFY(near(scalar(sig->masked(x, torch::ones({1, 1, 2}),
                                        torch::tensor({1.0, 0.0}).view({1, 1, 2}))),
                     0.2, 1e-6));
        // no mask: plain Dice
        QVERIFY(near(scalar((*labelled)(p, y)),
                     scalar((*makeLoss("DiceLoss", noSmooth({{"to_onehot_y", true}})))(p, y))));
        QVERIFY(mentions(errorText<ShapeError>([&] {
                             loss->masked(p, y, torch::ones({1, 2, 2, 2, 1}));
                         }),
                         {"mask", "[1, 2, 2, 2, 1]"}));
        QVERIFY(mentions(errorText<ConfigError>([&] { makeLoss("DiceLoss")->masked(p, y, mask); }),
                         {"DiceLoss takes no mask"}));
    }

    void wassersteinClosedForm() {
        // C = 2, M = [[0, 1], [1, 0]], one sample, two voxels:
        // v0 logits (0, 0) -> p (.5, .5), label 1: wass = .5;
        // v1 logits (ln 3, 0) -> p (.75, .25), label 0: wass = .25.
        // default alpha (0, 1): TP = 1 (1 - .5) = .5, denominator 2 TP + (.5 + .25) = 1.75
        const at::Tensor x = torch::tensor({0.0, std::log(3.0), 0.0, 0.0}).view({1, 2, 2});
        const at::Tensor t = torch::tensor({1, 0}).view({1, 2});
        const Json m = {{0, 1}, {1, 0}};
        QVERIFY(near(scalar((*makeLoss("GeneralizedWassersteinDiceLoss",
                                       noSmooth({{"dist_matrix", m}})))(x, t)),
                     1 - 1 / 1.75));
        // GDL alpha = 1 / (volume + 1) = (.5, .5): TP = .5 (.5 + .75) = .625,
        // denominator .5 (1.5 + 1.75) = 1.625; the matrix is normalised by its max
        QVERIFY(near(scalar((*makeLoss("GeneralizedWassersteinDiceLoss",
                                       noSmooth({{"dist_matrix", {{0, 4}, {4, 0}}},
                                                 {"weighting_mode", "GDL"}})))(x, t)),
                     1 - 1.25 / 1.625));
        // MONAI 1.3.2 sums the (1 - wass) map over the batch in TP: the same
        // sample twice gives TP = 2 * .5, denominator 2 + .75 -> 1 - 2/2.75 each;
        // reduction none: per-sample values (B,) (MONAI 1.3.2 raises).
        auto none = (*makeLoss("GeneralizedWassersteinDiceLoss",
                               noSmooth({{"dist_matrix", m}, {"reduction", "none"}})))(
            torch::cat({x, x}), torch::cat({t, t}).unsqueeze(1));
        QCOMPARE(shape(none), (std::vector<int64_t>{2}));
        QVERIFY(torch::allclose(none, torch::full({2}, 1 - 2 / 2.75)));
    }

    void floatAndDoubleAgree() {
        torch::manual_seed(3);
        const at::Tensor x = torch::randn({2, 3, 4, 5, 3});
        const at::Tensor y = torch::randint(0, 3, {2, 1, 4, 5, 3});
        const Json m = {{0, 1, 1}, {1, 0, 0.5}, {1, 0.5, 0}};
        const std::vector<std::pair<std::string, Json>> configs = {
            {"DiceLoss", {{"softmax", true}, {"to_onehot_y", true}, {"jaccard", true}}},
            {"DiceLoss", {{"sigmoid", true}, {"to_onehot_y", true}, {"batch", true}}},
            {"GeneralizedDiceLoss", {{"softmax", true}, {"to_onehot_y", true}}},
            {"TverskyLoss", {{"other_act", "tanh"}, {"to_onehot_y", true}, {"alpha", 0.2}}},
            {"GeneralizedWassersteinDiceLoss", {{"dist_matrix", m}, {"weighting_mode", "GDL"}}}};
        for (const auto& [name, params] : configs) {
            QVERIFY2(dtypeAgnostic(makeLoss(name, params), x, y), name.c_str());
            QVERIFY2(roundTrips(makeLoss(name, params), x, y), name.c_str());
        }
        auto masked = makeLoss("MaskedDiceLoss", {{"softmax", true}, {"to_onehot_y", true}});
        QVERIFY(roundTrips(masked, x, y));
    }

    void gradientMatchesFiniteDifferences() {
        // Dice with softmax and class weights in float64: autograd vs central differences.
        torch::manual_seed(5);
        auto loss = makeLoss("DiceLoss", {{"softmax", true},
                                          {"to_onehot_y", true},
                                          {"weight", {0.5, 1, 2}},
                                          {"squared_pred", true}});
        const at::Tensor y = torch::randint(0, 3, {2, 1, 3, 2});
        at::Tensor x = torch::randn({2, 3, 3, 2}, torch::kDouble).requires_grad_();
        const at::Tensor g = torch::autograd::grad({(*loss)(x, y)}, {x})[0];
        torch::NoGradGuard noGrad;
        const double h = 1e-6;
        at::Tensor flat = x.detach().clone().flatten();
        for (int64_t i = 0; i < flat.numel(); ++i) {
            const double v = flat[i].item<double>();
            flat[i] = v + h;
            const double up = scalar((*loss)(flat.view(x.sizes()), y));
            flat[i] = v - h;
            const double down = scalar((*loss)(flat.view(x.sizes()), y));
            flat[i] = v;
            QVERIFY(near(g.flatten()[i].item<double>(), (up - down) / (2 * h), 1e-7));
        }
    }

    void errorsNameTheProblem() {
        auto dice = makeLoss("DiceLoss");
        QVERIFY(mentions(errorText<ShapeError>([&] {
                             (*dice)(torch::rand({1, 2, 4, 4}), torch::rand({1, 3, 4, 4}));
                         }),
                         {"DiceLoss", "input [1, 2, 4, 4]", "target [1, 3, 4, 4]"}));
        auto onehot = makeLoss("DiceLoss", {{"to_onehot_y", true}});
        QVERIFY(mentions(errorText<ShapeError>([&] {
                             (*onehot)(torch::rand({1, 2, 4, 4}), torch::rand({1, 2, 4, 4}));
                         }),
                         {"to_onehot_y", "(B, 1, *spatial)", "[1, 2, 4, 4]"}));
        QVERIFY(mentions(errorText<ShapeError>([&] {
                             (*onehot)(torch::rand({1, 2, 4, 4}), torch::full({1, 1, 4, 4}, 2.0));
                         }),
                         {"labels span [2, 2]", "2 channels"}));
        QVERIFY(mentions(errorText<ConfigError>([] {
                             makeLoss("DiceLoss", {{"sigmoid", true}, {"softmax", true}});
                         }),
                         {"loss.softmax", "at most one"}));
        QVERIFY(mentions(errorText<ConfigError>([] {
                             makeLoss("TverskyLoss", {{"softmax", true}, {"other_act", "tanh"}});
                         }),
                         {"loss.other_act"}));
        auto weighted =
            makeLoss("DiceLoss", {{"weight", {1, 2, 3}}, {"include_background", false}});
        QVERIFY(mentions(errorText<ConfigError>([&] {
                             (*weighted)(torch::rand({1, 3, 4}), torch::rand({1, 3, 4}));
                         }),
                         {"loss.weight", "3 entries given but 2 expected"}));
        QVERIFY(mentions(errorText<ConfigError>([] {
                             makeLoss("GeneralizedDiceLoss", {{"w_type", "cubic"}});
                         }),
                         {"loss.w_type", "cubic"}));
        QVERIFY(mentions(errorText<ConfigError>([] {
                             GeneralizedDiceLoss(GeneralizedDiceLossOptions().w_type("cubic"));
                         }),
                         {"loss.w_type"}));
        QVERIFY(mentions(
            errorText<ConfigError>([] {
                makeLoss("GeneralizedWassersteinDiceLoss", {{"dist_matrix", {{0, 1}, {1, 0, 2}}}});
            }),
            {"loss.dist_matrix", "C x C"}));
        QVERIFY(mentions(errorText<ConfigError>([] { makeLoss("GeneralizedWassersteinDiceLoss"); }),
                         {"loss.dist_matrix", "required"}));
        auto gwdl = makeLoss("GeneralizedWassersteinDiceLoss", {{"dist_matrix", {{0, 1}, {1, 0}}}});
        QVERIFY(mentions(errorText<ShapeError>([&] {
                             (*gwdl)(torch::rand({1, 3, 4}), torch::zeros({1, 4}));
                         }),
                         {"3 channels", "dist_matrix is 2 x 2"}));
    }
};

QTEST_GUILESS_MAIN(TestLossesDice)
#include "test_losses_dice.moc"
