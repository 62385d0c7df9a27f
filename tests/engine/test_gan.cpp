/// GanTrainer on MONAI's Generator/Discriminator: the iteration's order and
/// counts (d_train_steps discriminator updates, one generator update),
/// reported losses equal to the tutorial's BCE losses recomputed by hand,
/// events, and the configuration errors.

#include "TestSupport.h"

#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/data/DataLoader.h"
#include "engine/data/Dataset.h"
#include "engine/networks/Network.h"
#include "engine/training/GanTrainer.h"

using namespace medulla;

namespace {

/// 8 "real" 1x16x16 images: a bright disc at a varying place.
std::vector<Sample> realImages() {
    std::vector<Sample> items;
    for (int i = 0; i < 8; ++i) {
        at::Tensor img = torch::zeros({1, 16, 16});
        img.slice(1, 2 + i, 8 + i).slice(2, 4, 10).fill_(1.0);
        Sample s;
        s.volumes["image"] = Volume(img);
        items.push_back(std::move(s));
    }
    return items;
}

NetworkPtr makeNet(const Json& cfg) {
    return networkRegistry().create(cfg, "network");
}

/// A copy of every parameter, to see what a step changed.
std::vector<at::Tensor> snapshot(torch::nn::Module& m) {
    std::vector<at::Tensor> out;
    for (const auto& p : m.parameters())
        out.push_back(p.detach().clone());
    return out;
}

bool changed(torch::nn::Module& m, const std::vector<at::Tensor>& before) {
    auto now = m.parameters();
    for (size_t i = 0; i < now.size(); ++i)
        if (!torch::equal(now[i], before[i]))
            return true;
    return false;
}

/// Counts optimizer steps.
struct CountingSgd : torch::optim::SGD {
    using torch::optim::SGD::SGD;
    int steps = 0;
    torch::Tensor step(LossClosure closure = nullptr) override {
        ++steps;
        return torch::optim::SGD::step(std::move(closure));
    }
};

} // namespace

class TestGan : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainsBothNetworks() {
        torch::manual_seed(0);
        Dataset data(realImages(), Compose());
        DataLoader loader(data, DataLoaderOptions().batch_size(4).shuffle(true).seed(1));
        auto gen = makeNet({{"name", "Generator"},
                            {"latent_shape", {8}},
                            {"start_shape", {4, 4, 4}},
                            {"channels", {8, 1}},
                            {"strides", {2, 2}},
                            {"num_res_units", 0}});
        auto disc = makeNet({{"name", "Discriminator"},
                             {"in_shape", {1, 16, 16}},
                             {"channels", {4, 8}},
                             {"strides", {2, 2}},
                             {"num_res_units", 0},
                             {"dropout", 0.0}}); // MONAI's default 0.25 is random in train mode
        CountingSgd gOpt(gen->parameters(), torch::optim::SGDOptions(0.01));
        CountingSgd dOpt(disc->parameters(), torch::optim::SGDOptions(0.01));
        GanTrainer trainer(GanTrainerOptions().max_epochs(2).latent_shape({8}).d_train_steps(3),
                           loader, *gen, gOpt, *disc, dOpt);
        std::vector<std::string> events;
        for (Event e : {Event::Started, Event::EpochStarted, Event::IterationCompleted,
                        Event::EpochCompleted, Event::Completed})
            trainer.on(e, [&events, e](Workflow&) { events.push_back(eventName(e)); });
        const auto g0 = snapshot(*gen), d0 = snapshot(*disc);
        CancelToken cancel;
        QCOMPARE(trainer.run(cancel), JobState::Completed);
        // 8 images / batch 4 = 2 iterations per epoch, 2 epochs.
        QCOMPARE(trainer.state().iteration, int64_t(4));
        QCOMPARE(gOpt.steps, 4);
        QCOMPARE(dOpt.steps, 12); // 3 discriminator steps per iteration
        QVERIFY(changed(*gen, g0));
        QVERIFY(changed(*disc, d0));
        const std::vector<std::string> want = {
            "STARTED",         "EPOCH_STARTED", "ITERATION_COMPLETED", "ITERATION_COMPLETED",
            "EPOCH_COMPLETED", "EPOCH_STARTED", "ITERATION_COMPLETED", "ITERATION_COMPLETED",
            "EPOCH_COMPLETED", "COMPLETED"};
        QVERIFY(events == want);
        // The reported generator loss is BCE(D(fakes), 1) of that iteration:
        // recompute it from the fakes with the generator step already taken
        // by D (D did not change after the generator loss was computed).
        const at::Tensor fakes = trainer.lastFakes();
        QCOMPARE(fakes.sizes(), (at::IntArrayRef{4, 1, 16, 16}));
        torch::NoGradGuard ng;
        const at::Tensor out = disc->forward(fakes);
        const double g =
            torch::nn::functional::binary_cross_entropy(out, torch::ones_like(out)).item<double>();
        QVERIFY2(std::fabs(g - trainer.state().output.at("g_loss")) < 1e-5,
                 qPrintable(QString("%1 vs %2").arg(g).arg(trainer.state().output.at("g_loss"))));
        // Three discriminator losses in [0, inf) summed.
        QVERIFY(trainer.state().output.at("d_loss") > 0);
    }

    void configErrors() {
        Dataset data(realImages(), Compose());
        DataLoader loader(data, DataLoaderOptions().batch_size(4));
        auto gen = makeNet({{"name", "Generator"},
                            {"latent_shape", {8}},
                            {"start_shape", {4, 4, 4}},
                            {"channels", {8, 1}},
                            {"strides", {2, 2}}});
        torch::optim::SGD opt(gen->parameters(), torch::optim::SGDOptions(0.01));
        auto make = [&](GanTrainerOptions o) {
            try {
                GanTrainer t(o, loader, *gen, opt, *gen, opt);
            } catch (const ConfigError& e) {
                return std::string(e.what());
            }
            return std::string();
        };
        QVERIFY(make(GanTrainerOptions().d_train_steps(0)).find("d_train_steps") !=
                std::string::npos);
        QVERIFY(make(GanTrainerOptions().latent_shape({})).find("latent_shape") !=
                std::string::npos);
        QVERIFY(make(GanTrainerOptions().max_epochs(0)).find("max_epochs") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestGan)
#include "test_gan.moc"
