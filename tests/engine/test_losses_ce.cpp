/// Losses on logits with a cross-entropy term, and the deep-supervision
/// wrapper, on tiny hand-computed cases: FocalLoss, DiceCELoss, DiceFocalLoss,
/// GeneralizedDiceFocalLoss and DeepSupervisionLoss (also on a real DynUNet's
/// stacked training output, with backward). MONAI's own outputs are checked
/// by the parity_losses tests.

#include "LossTestSupport.h"

#include "engine/losses/DeepSupervisionLoss.h"
#include "engine/losses/FocalLoss.h"
#include "engine/networks/Network.h"

using namespace medulla;
using namespace medulla::test;

namespace {

const double ln2 = std::log(2.0), ln3 = std::log(3.0);

// One sample, two channels, two voxels of logits: channel 0 (0, ln 3),
// channel 1 (0, 0); multi-label target channel 0 (1, 0), channel 1 (0, 1).
at::Tensor logits() {
    return torch::tensor({0.0, ln3, 0.0, 0.0}).view({1, 2, 2});
}
at::Tensor multiLabel() {
    return torch::tensor({1.0, 0.0, 0.0, 1.0}).view({1, 2, 2});
}
// Softmax of (channel 0, channel 1) per voxel: v0 (0, ln 3) -> (.25, .75),
// v1 (0, 0) -> (.5, .5); labels v0 1, v1 0.
at::Tensor ceLogits() {
    return torch::tensor({0.0, 0.0, ln3, 0.0}).view({1, 2, 2});
}
at::Tensor ceLabels() {
    return torch::tensor({1.0, 0.0}).view({1, 1, 2});
}
Json noSmooth(Json j = Json::object()) {
    j["smooth_nr"] = 0;
    j["smooth_dr"] = 0;
    return j;
}

} // namespace

class TestLossesCe : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sigmoidFocalClosedForm() {
        // (1 - p_t)^2 * BCE per element, p = sigmoid(x):
        // c0 v0: x 0, t 1 -> .25 ln 2; c0 v1: x ln 3 (p .75), t 0 -> .5625 ln 4;
        // c1 v0, v1: x 0 -> .25 ln 2 each.
        auto none = (*makeLoss("FocalLoss", {{"reduction", "none"}}))(logits(), multiLabel());
        QCOMPARE(none.sizes().vec(), (std::vector<int64_t>{1, 2, 2})); // element-wise
        QVERIFY(torch::allclose(none.flatten(), torch::tensor({0.25, 1.125, 0.25, 0.25}) * ln2));
        QVERIFY(near(scalar((*makeLoss("FocalLoss"))(logits(), multiLabel())), 1.875 * ln2 / 4));
        // "sum": sum over (B, C) of the spatial means (MONAI's)
        QVERIFY(
            near(scalar((*makeLoss("FocalLoss", {{"reduction", "sum"}}))(logits(), multiLabel())),
                 (1.375 / 2 + 0.5 / 2) * ln2));
        // alpha .25: positives x .25, negatives x .75
        QVERIFY(near(scalar((*makeLoss("FocalLoss", {{"alpha", 0.25}}))(logits(), multiLabel())),
                     (0.0625 + 0.84375 + 0.1875 + 0.0625) * ln2 / 4));
        // class weights (2, 3)
        QVERIFY(near(scalar((*makeLoss("FocalLoss", {{"weight", {2, 3}}}))(logits(), multiLabel())),
                     (2 * 1.375 + 3 * 0.5) * ln2 / 4));
        // gamma 0 is binary cross-entropy with logits
        torch::manual_seed(1);
        const at::Tensor x = torch::randn({2, 3, 4, 4}),
                         t = (torch::rand({2, 3, 4, 4}) > 0.5).to(torch::kFloat);
        QVERIFY(torch::allclose((*makeLoss("FocalLoss", {{"gamma", 0}}))(x, t),
                                torch::binary_cross_entropy_with_logits(x, t)));
    }

    void softmaxFocalDropsBackgroundFirst() {
        // logits (5, 0, ln 3), label 2. Without the background the softmax runs
        // over (0, ln 3) -> (.25, .75): loss -(1 - .75)^2 ln .75 on channel 2,
        // mean over the 2 kept channels; channel 0 gets no gradient.
        at::Tensor x = torch::tensor({5.0, 0.0, ln3}).view({1, 3, 1}).requires_grad_();
        const at::Tensor y = torch::full({1, 1, 1}, 2.0);
        auto fg = makeLoss("FocalLoss", {{"use_softmax", true},
                                         {"to_onehot_y", true},
                                         {"include_background", false},
                                         {"alpha", 0.9}});
        const at::Tensor l = (*fg)(x, y);
        QVERIFY(near(scalar(l), -0.0625 * std::log(0.75) / 2)); // alpha ignored, as MONAI
        l.backward();
        QCOMPARE(x.grad()[0][0][0].item<double>(), 0.0);
        QVERIFY(x.grad()[0][2][0].item<double>() != 0.0);
        // with the background: p2 = 3 / (e^5 + 1 + 3), alpha .9 on channels 1, 2
        const double p2 = 3 / (std::exp(5.0) + 4);
        auto all =
            makeLoss("FocalLoss", {{"use_softmax", true}, {"to_onehot_y", true}, {"alpha", 0.9}});
        QVERIFY(near(scalar((*all)(x.detach(), y)), -0.9 * std::pow(1 - p2, 2) * std::log(p2) / 3));
    }

    void diceCeClosedForm() {
        // Dice (softmax, no smoothing): c0 inter .5, |X| .75, |Y| 1 -> 1 - 1/1.75;
        // c1 inter .75, |X| 1.25, |Y| 1 -> 1 - 1.5/2.25. CE: (-ln .75 + ln 2) / 2.
        const double d0 = 1 - 1 / 1.75, d1 = 1 - 1.5 / 2.25, ce0 = -std::log(0.75);
        const Json base = noSmooth({{"to_onehot_y", true}, {"softmax", true}});
        QVERIFY(near(scalar((*makeLoss("DiceCELoss", base))(ceLogits(), ceLabels())),
                     (d0 + d1) / 2 + (ce0 + ln2) / 2));
        Json lambdas = base;
        lambdas["lambda_dice"] = 0.5;
        lambdas["lambda_ce"] = 2;
        QVERIFY(near(scalar((*makeLoss("DiceCELoss", lambdas))(ceLogits(), ceLabels())),
                     0.5 * (d0 + d1) / 2 + (ce0 + ln2)));
        // weight (1, 3): CE weighted mean (3 ce0 + ln 2) / 4, Dice (d0 + 3 d1) / 2
        Json weighted = base;
        weighted["weight"] = {1, 3};
        QVERIFY(near(scalar((*makeLoss("DiceCELoss", weighted))(ceLogits(), ceLabels())),
                     (d0 + 3 * d1) / 2 + (3 * ce0 + ln2) / 4));
        // without the background Dice gets weight[1:] = (3): one class, so
        // MONAI applies no weight at all; CE still uses every channel
        weighted["include_background"] = false;
        QVERIFY(near(scalar((*makeLoss("DiceCELoss", weighted))(ceLogits(), ceLabels())),
                     d1 + (3 * ce0 + ln2) / 4));
        // a one-hot target gives probability targets: the weighted mean is over
        // voxels, (3 ce0 + ln 2) / 2, not over weights
        Json soft = noSmooth({{"softmax", true}, {"weight", {1, 3}}, {"lambda_dice", 0}});
        const at::Tensor onehot = torch::cat({1 - ceLabels(), ceLabels()}, 1);
        QVERIFY(
            near(scalar((*makeLoss("DiceCELoss", soft))(ceLogits(), onehot)), (3 * ce0 + ln2) / 2));
        // one channel: BCE with logits, weight as pos_weight: 2 ln 2; Dice 1 - 1/1.5
        QVERIFY(
            near(scalar((*makeLoss("DiceCELoss", noSmooth({{"sigmoid", true}, {"weight", {2}}})))(
                     torch::zeros({1, 1, 1}), torch::ones({1, 1, 1}))),
                 2 * ln2 + 1 - 1 / 1.5));
    }

    void diceFocalIsSigmoidFocal() {
        // The focal term is the sigmoid focal loss even with softmax=true:
        // one-hot target c0 (0, 1), c1 (1, 0); c1 v0: x ln 3, t 1 -> .0625 ln(4/3),
        // the three x = 0 elements .25 ln 2 each.
        const double focal = (0.75 * ln2 + 0.0625 * std::log(4.0 / 3)) / 4;
        const double dice = (1 - 1 / 1.75 + 1 - 1.5 / 2.25) / 2;
        Json p = noSmooth({{"to_onehot_y", true}, {"softmax", true}});
        QVERIFY(
            near(scalar((*makeLoss("DiceFocalLoss", p))(ceLogits(), ceLabels())), dice + focal));
        p["lambda_dice"] = 0.3;
        p["lambda_focal"] = 2;
        p["gamma"] = 1.5;
        p["weight"] = {1, 2};
        const at::Tensor oh = torch::cat({1 - ceLabels(), ceLabels()}, 1);
        const double want =
            0.3 * scalar((*makeLoss("DiceLoss", noSmooth({{"softmax", true}, {"weight", {1, 2}}})))(
                      ceLogits(), oh)) +
            2 * scalar(
                    (*makeLoss("FocalLoss", {{"gamma", 1.5}, {"weight", {1, 2}}}))(ceLogits(), oh));
        QVERIFY(near(scalar((*makeLoss("DiceFocalLoss", p))(ceLogits(), ceLabels())), want));
        // unreduced: Dice (B, C, 1) + focal (B, C, N) broadcast
        auto none = (*makeLoss("DiceFocalLoss", {{"sigmoid", true}, {"reduction", "none"}}))(
            logits(), multiLabel());
        QCOMPARE(none.sizes().vec(), (std::vector<int64_t>{1, 2, 2}));
        // GeneralizedDiceFocalLoss = GeneralizedDiceLoss + sigmoid FocalLoss
        const Json g = {{"to_onehot_y", true}, {"softmax", true}, {"w_type", "simple"}};
        Json gf = g;
        gf["lambda_gdl"] = 0.5;
        QVERIFY(near(
            scalar((*makeLoss("GeneralizedDiceFocalLoss", gf))(ceLogits(), ceLabels())),
            0.5 * scalar((*makeLoss("GeneralizedDiceLoss", g))(ceLogits(), ceLabels())) +
                scalar((*makeLoss("FocalLoss", {{"to_onehot_y", true}}))(ceLogits(), ceLabels()))));
    }

    void deepSupervisionWeights() {
        auto w = [](const char* mode, int64_t levels, Json weights = Json::array()) {
            DeepSupervisionLoss ds(DeepSupervisionLossOptions()
                                       .loss({{"name", "DiceLoss"}})
                                       .weight_mode(mode)
                                       .weights(weights.get<std::vector<double>>()));
            return ds.weights(levels);
        };
        QCOMPARE(w("exp", 6), (std::vector<double>{1, 0.5, 0.25, 0.125, 0.0625, 0.0625}));
        QCOMPARE(w("two", 3), (std::vector<double>{1, 0.5, 0.5}));
        QCOMPARE(w("same", 2), (std::vector<double>{1, 1}));
        QCOMPARE(w("same", 2, {3, 2, 1}), (std::vector<double>{3, 2}));
        QCOMPARE(w("exp", 3, {3, 2}), (std::vector<double>{1, 0.5, 0.25})); // too few: mode
    }

    void deepSupervisionOnStackedHeads() {
        torch::manual_seed(7);
        const at::Tensor heads = torch::randn({2, 3, 3, 4, 4});
        const at::Tensor y = torch::randint(0, 3, {2, 1, 4, 4}).to(torch::kFloat);
        const Json inner = {{"name", "DiceCELoss"}, {"to_onehot_y", true}, {"softmax", true}};
        auto plain = lossRegistry().create(inner, "loss");
        auto ds = makeLoss("DeepSupervisionLoss", {{"loss", inner}});
        double want = 0;
        for (int64_t l = 0; l < 3; ++l)
            want += std::pow(0.5, double(l)) * scalar((*plain)(heads.select(1, l), y));
        QVERIFY(near(scalar((*ds)(heads, y)), want, 1e-5));
        // a plain input goes to the wrapped loss unchanged
        QVERIFY(
            near(scalar((*ds)(heads.select(1, 1), y)), scalar((*plain)(heads.select(1, 1), y))));
        // an 8x8 target for 4x4 heads: nearest-exact keeps source pixel 2i + 1
        const at::Tensor big = torch::randint(0, 3, {2, 1, 8, 8}).to(torch::kFloat);
        const at::Tensor picked = big.slice(2, 1, 8, 2).slice(3, 1, 8, 2);
        auto same = makeLoss("DeepSupervisionLoss", {{"loss", inner}, {"weight_mode", "same"}});
        double sum = 0;
        for (int64_t l = 0; l < 3; ++l)
            sum += scalar((*plain)(heads.select(1, l), picked));
        QVERIFY(near(scalar((*same)(heads, big)), sum, 1e-5));
        // GWDL's target has no channel axis: (B, *spatial) with (B, heads, C, *spatial)
        auto gw = makeLoss("DeepSupervisionLoss",
                           {{"loss",
                             {{"name", "GeneralizedWassersteinDiceLoss"},
                              {"dist_matrix", {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}}}}}});
        QVERIFY(std::isfinite(scalar((*gw)(heads, y.squeeze(1).to(torch::kLong)))));
        QVERIFY(roundTrips(ds, heads, y));
    }

    void deepSupervisionOnDynUNet() {
        torch::manual_seed(11);
        auto net = networkRegistry().create({{"name", "DynUNet"},
                                             {"spatial_dims", 2},
                                             {"out_channels", 3},
                                             {"kernel_size", {3, 3, 3, 3}},
                                             {"strides", {1, 2, 2, 2}},
                                             {"upsample_kernel_size", {2, 2, 2}},
                                             {"filters", {4, 8, 8, 16}},
                                             {"deep_supervision", true},
                                             {"deep_supr_num", 2}},
                                            "network");
        net->train();
        const at::Tensor out = net->forward(torch::randn({2, 1, 16, 16}));
        QCOMPARE(out.sizes().vec(), (std::vector<int64_t>{2, 3, 3, 16, 16}));
        const at::Tensor y = torch::randint(0, 3, {2, 1, 16, 16}).to(torch::kFloat);
        const Json inner = {{"name", "DiceFocalLoss"}, {"to_onehot_y", true}, {"softmax", true}};
        auto ds = makeLoss("DeepSupervisionLoss", {{"loss", inner}, {"weight_mode", "two"}});
        const at::Tensor loss = (*ds)(out, y);
        auto plain = lossRegistry().create(inner, "loss");
        const double want = scalar((*plain)(out.select(1, 0), y)) +
                            0.5 * scalar((*plain)(out.select(1, 1), y)) +
                            0.5 * scalar((*plain)(out.select(1, 2), y));
        QVERIFY(near(scalar(loss), want, 1e-5));
        loss.backward();
        int withGrad = 0;
        for (const auto& p : net->named_parameters()) {
            QVERIFY2(p.value().grad().defined(), p.key().c_str());
            QVERIFY2(torch::isfinite(p.value().grad()).all().item<bool>(), p.key().c_str());
            withGrad += p.value().grad().abs().sum().item<double>() > 0;
            if (p.key().rfind("deep_supervision_heads", 0) == 0)
                QVERIFY2(p.value().grad().abs().sum().item<double>() > 0, p.key().c_str());
        }
        QVERIFY(withGrad > 0);
    }

    void roundTripsAndDtypes() {
        torch::manual_seed(2);
        const at::Tensor x = torch::randn({2, 3, 4, 3, 2});
        const at::Tensor y = torch::randint(0, 3, {2, 1, 4, 3, 2});
        const std::vector<std::pair<std::string, Json>> configs = {
            {"FocalLoss", {{"to_onehot_y", true}, {"use_softmax", true}, {"alpha", 0.3}}},
            {"FocalLoss", {{"to_onehot_y", true}, {"weight", {1, 2, 3}}, {"reduction", "sum"}}},
            {"DiceCELoss", {{"to_onehot_y", true}, {"softmax", true}, {"weight", {1, 2, 3}}}},
            {"DiceFocalLoss", {{"to_onehot_y", true}, {"sigmoid", true}, {"gamma", 1.0}}},
            {"GeneralizedDiceFocalLoss", {{"to_onehot_y", true}, {"softmax", true}}},
            {"DeepSupervisionLoss", {{"loss", {{"name", "TverskyLoss"}, {"to_onehot_y", true}}}}}};
        for (const auto& [name, params] : configs) {
            QVERIFY2(roundTrips(makeLoss(name, params), x, y), name.c_str());
            QVERIFY2(dtypeAgnostic(makeLoss(name, params), x, y), name.c_str());
        }
    }

    void errorsNameTheProblem() {
        QVERIFY(mentions(errorText<ConfigError>([] {
                             makeLoss("FocalLoss", {{"gamma", -1}});
                         }),
                         {"loss.gamma"}));
        QVERIFY(mentions(errorText<ConfigError>([] { FocalLoss(FocalLossOptions().gamma(-0.5)); }),
                         {"loss.gamma", "must be >= 0"}));
        QVERIFY(mentions(errorText<ConfigError>([] {
                             makeLoss("FocalLoss", {{"alpha", 1.5}});
                         }),
                         {"loss.alpha"}));
        QVERIFY(mentions(errorText<ConfigError>([] {
                             makeLoss("DiceCELoss", {{"reduction", "none"}});
                         }),
                         {"loss.reduction"}));
        auto ce = makeLoss("DiceCELoss",
                           {{"softmax", true}, {"to_onehot_y", true}, {"weight", {1, 2, 3}}});
        QVERIFY(mentions(errorText<ConfigError>([&] { (*ce)(ceLogits(), ceLabels()); }),
                         {"loss.weight", "3 entries given but 2 expected", "background included"}));
        QVERIFY(mentions(errorText<ShapeError>([&] {
                             (*ce)(ceLogits(), torch::zeros({1, 2}));
                         }),
                         {"DiceCELoss", "[1, 2, 2]", "[1, 2]", "rank"}));
        QVERIFY(mentions(errorText<ShapeError>([&] {
                             (*ce)(ceLogits(), torch::zeros({1, 3, 2}));
                         }),
                         {"target [1, 3, 2]", "neither 1 channel"}));
        auto focal = makeLoss("FocalLoss", {{"weight", {1, 2, 3}}});
        QVERIFY(mentions(errorText<ConfigError>([&] { (*focal)(logits(), multiLabel()); }),
                         {"loss.weight", "2 expected"}));
        QVERIFY(mentions(errorText<ConfigError>([] {
                             makeLoss("DeepSupervisionLoss",
                                      {{"loss", {{"name", "DiceLoss"}}}, {"weight_mode", "half"}});
                         }),
                         {"loss.weight_mode", "half"}));
        QVERIFY(mentions(errorText<ConfigError>([] {
                             makeLoss("DeepSupervisionLoss", {{"loss", {{"name", "Nope"}}}});
                         }),
                         {"loss.loss.name", "Nope"}));
        QVERIFY(mentions(errorText<ConfigError>([] { makeLoss("DeepSupervisionLoss"); }),
                         {"loss.loss", "required"}));
    }
};

QTEST_GUILESS_MAIN(TestLossesCe)
#include "test_losses_ce.moc"
