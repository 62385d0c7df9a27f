/// The network tools: parameter counts, output shapes and measured training-
/// step memory (NetworkProbe), and moving weights between PyTorch/MONAI
/// files and Medulla checkpoints (WeightsTransfer), checked with MONAI's own
/// weights and outputs (shared/parity net_unet_2d) and closed-form byte counts.

#include "TestSupport.h"

#include "engine/core/CpuAllocator.h"
#include "engine/core/Error.h"
#include "engine/networks/Network.h"
#include "engine/networks/NetworkProbe.h"
#include "engine/networks/StateDict.h"
#include "engine/training/Checkpoint.h"
#include "engine/training/WeightsTransfer.h"

using namespace medulla;

namespace {
const std::string kWeightsDir = std::string(MEDULLA_SOURCE_DIR) + "/tests/data/weights";

Json unet2dConfig() {
    Json cfg = test::parityCase("net_unet_2d")["params"];
    cfg["name"] = "UNet";
    return cfg;
}

/// MONAI's eval output for net_unet_2d from `net`.
void expectMonaiOutput(Network& net) {
    const auto c = test::parityCase("net_unet_2d");
    net.eval();
    torch::NoGradGuard guard;
    const at::Tensor y = net.forward(test::parityArray(c, "inputs", "input"));
    std::string why;
    QVERIFY2(test::allClose(y, test::parityArray(c, "outputs", "output"), 1e-3, 1e-4, &why),
             why.c_str());
}
} // namespace

class TestNetworkTools : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parameterCountsAreMonais() {
        // The counts MONAI's notes give for these cases.
        QCOMPARE(parameterCount(*networkRegistry().create(unet2dConfig(), "network")),
                 int64_t(3332));
        Json batch = test::parityCase("net_unet_batch")["params"];
        batch["name"] = "UNet";
        QCOMPARE(parameterCount(*networkRegistry().create(batch, "network")), int64_t(75221));
    }

    void outputShapeForInput() {
        auto net = networkRegistry().create(unet2dConfig(), "network");
        net->train();
        QCOMPARE(outputShape(*net, {3, 2, 24, 20}), (std::vector<int64_t>{3, 2, 24, 20}));
        QVERIFY(net->is_training()); // mode restored
        try {
            outputShape(*net, {1, 5, 24, 20}); // 5 channels, the net takes 2
            QFAIL("no error");
        } catch (const ShapeError& e) {
            QCOMPARE(QString::fromStdString(e.field()), QString("input"));
        }
    }

    void allocationCounterIsExact() {
        const int64_t before = cpuMemoryStats().liveBytes;
        {
            at::Tensor t = torch::empty({1000, 250}, torch::kFloat); // 1,000,000 bytes
            QCOMPARE(cpuMemoryStats().liveBytes - before, int64_t(1000000));
            resetCpuPeak();
            at::Tensor u = torch::empty({500}, torch::kDouble); // 4,000 bytes
            QCOMPARE(cpuMemoryStats().peakBytes - before, int64_t(1004000));
        }
        QCOMPARE(cpuMemoryStats().liveBytes, before);
    }

    void largeBlocksAreReused() {
        installCpuAllocator();
        emptyCpuCache();
        const CpuMemoryStats s0 = cpuMemoryStats();
        void* first = nullptr;
        {
            at::Tensor a = torch::empty({3, 1000, 1000}, torch::kFloat); // 12 MB
            first = a.data_ptr();
            // 12,000,000 bytes rounded up to 64 KiB: 183 x 65,536 = 11,993,088 < 12e6, so 184.
            QCOMPARE(cpuMemoryStats().liveBytes - s0.liveBytes, int64_t(184 * 65536));
        }
        QCOMPARE(cpuMemoryStats().cachedBytes, int64_t(184 * 65536));
        at::Tensor b = torch::ones({3, 1000, 1000}, torch::kFloat);
        QCOMPARE(b.data_ptr(), first); // the same block again
        QCOMPARE(cpuMemoryStats().hits - s0.hits, int64_t(1));
        QCOMPARE(cpuMemoryStats().cachedBytes, int64_t(0));
        QCOMPARE(b.sum().item<double>(), 3e6);
        b = at::Tensor();
        emptyCpuCache();
        QCOMPARE(cpuMemoryStats().cachedBytes, int64_t(0));
    }

    void trainingStepMemory() {
        Json cfg = unet2dConfig();
        const StepMemory one = measureTrainingStep(cfg, {1, 2, 32, 32});
        const StepMemory four = measureTrainingStep(cfg, {4, 2, 32, 32});
        QCOMPARE(one.parameterBytes, int64_t(3332 * 4));
        // At least parameters + gradients + Adam's two moments + input + output.
        const int64_t floor1 = 4 * one.parameterBytes + 2 * (1 * 2 * 32 * 32 * 4);
        QVERIFY2(one.peakBytes >= floor1, std::to_string(one.peakBytes).c_str());
        // Activations grow with the batch: 3 more samples of at least the
        // first layer's output (4 channels x 32 x 32 floats, before and after
        // norm and activation).
        QVERIFY2(four.peakBytes - one.peakBytes >= 3 * 3 * 4 * 32 * 32 * 4,
                 (std::to_string(one.peakBytes) + " " + std::to_string(four.peakBytes)).c_str());
        QVERIFY(one.seconds > 0);
        QVERIFY_THROWS_EXCEPTION(ShapeError, measureTrainingStep(cfg, {1, 3, 32, 32}));
    }

    void importMonaiStateDict() {
        QTemporaryDir tmp;
        const std::string out = tmp.filePath("model.ckpt").toStdString();
        const WeightsReport r =
            importWeights(test::parityDir() + "/net_unet_2d_state.pt", unet2dConfig(), out);
        QCOMPARE(r.container, std::string("state dict"));
        QCOMPARE(r.parameters, int64_t(3332));
        auto net = networkRegistry().create(unet2dConfig(), "network");
        loadCheckpoint(out, *net);
        expectMonaiOutput(*net);
    }

    void importCheckpointDictAndDdpPrefix() {
        QTemporaryDir tmp;
        const std::string out = tmp.filePath("model.ckpt").toStdString();
        WeightsReport r =
            importWeights(kWeightsDir + "/unet_2d_checkpoint_dict.pt", unet2dConfig(), out);
        QCOMPARE(r.container, std::string("checkpoint['net']"));
        auto net = networkRegistry().create(unet2dConfig(), "network");
        loadCheckpoint(out, *net);
        expectMonaiOutput(*net);

        r = importWeights(kWeightsDir + "/unet_2d_ddp_prefix.pt", unet2dConfig(), out);
        QVERIFY(r.strippedModulePrefix);
        auto net2 = networkRegistry().create(unet2dConfig(), "network");
        loadCheckpoint(out, *net2);
        expectMonaiOutput(*net2);
    }

    void exportGivesAPlainStateDict() {
        QTemporaryDir tmp;
        const std::string ckpt = tmp.filePath("model.ckpt").toStdString();
        const std::string pt = tmp.filePath("exported.pt").toStdString();
        importWeights(test::parityDir() + "/net_unet_2d_state.pt", unet2dConfig(), ckpt);
        const WeightsReport r = exportWeights(ckpt, unet2dConfig(), pt);
        QCOMPARE(r.container, std::string("Medulla checkpoint"));
        // The exported file is the dict torch.load returns: same keys and
        // values as MONAI's file, nothing else.
        const StateDict monai = readStateDict(test::parityDir() + "/net_unet_2d_state.pt");
        const StateDict exported = readPytorchWeights(pt);
        QCOMPARE(exported.size(), monai.size());
        for (const auto& kv : monai) {
            QVERIFY2(exported.count(kv.first), kv.first.c_str());
            QVERIFY2(torch::equal(exported.at(kv.first), kv.second), kv.first.c_str());
        }
        QVERIFY(QDir(tmp.path()).entryList(QDir::Files).size() == 2); // no temporaries left
    }

    void mismatchesNameFileAndKeys() {
        QTemporaryDir tmp;
        const std::string out = tmp.filePath("model.ckpt").toStdString();
        Json wider = unet2dConfig();
        wider["channels"] = Json{8, 8, 16};
        const std::string file = test::parityDir() + "/net_unet_2d_state.pt";
        try {
            importWeights(file, wider, out);
            QFAIL("no error");
        } catch (const ShapeError& e) {
            QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(file));
            QVERIFY2(std::string(e.what()).find(
                         "model.0.conv.unit0.conv.weight: [4,2,3,3] in the file, [8,2,3,3] in "
                         "the network") != std::string::npos,
                     e.what());
        }
        QVERIFY(!QFile::exists(tmp.filePath("model.ckpt")));
        Json deeper = unet2dConfig();
        deeper["num_res_units"] = 2;
        try {
            importWeights(file, deeper, out);
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("missing: model.0.conv.unit1.conv.weight") !=
                         std::string::npos,
                     e.what());
        }
        // Not a torch.save file at all.
        const std::string junk = tmp.filePath("junk.pt").toStdString();
        std::ofstream(junk) << "not a zip";
        try {
            importWeights(junk, unet2dConfig(), out);
            QFAIL("no error");
        } catch (const IoError& e) {
            QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(junk));
        }
    }

    void networkConfigFromExperimentOrNetwork() {
        const Json net = {{"name", "UNet"}};
        QCOMPARE(networkConfigOf(net, "f.json"), net);
        QCOMPARE(networkConfigOf(Json{{"network", net}, {"loss", Json::object()}}, "f.json"), net);
        QVERIFY_THROWS_EXCEPTION(ConfigError, networkConfigOf(Json::array(), "f.json"));
    }
};

QTEST_GUILESS_MAIN(TestNetworkTools)
#include "test_network_tools.moc"
