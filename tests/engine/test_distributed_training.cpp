// Whole distributed runs through the CLI (issue 10): `medulla launch
// --nproc-per-node 2 -- train` against `medulla train`, with the ranks
// dealing each epoch out by the distributed sampler (partition_cache false):
// two processes with batch 1 see exactly the batches of one process with
// batch 2 (the random crops follow the item's global position), so the
// weights, the validation Dice of every epoch (per-case metrics gathered
// over the ranks) and the files rank 0 alone writes must agree; a
// distributed run resumed from its checkpoint ends where an uninterrupted
// one does.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <fstream>

#include "engine/distributed/WorkerProcesses.h"
#include "engine/networks/Network.h"
#include "engine/training/Checkpoint.h"

#ifndef MEDULLA_CLI_PATH
#error "MEDULLA_CLI_PATH must name the medulla binary"
#endif

using namespace medulla;

namespace {

/// A tiny experiment: 8 synthetic 32^3 cases (6 training, 2 validation),
/// random crops and flips, an instance-norm UNet, SGD (see test_distributed
/// for why not Adam), one intra-op thread per process.
QString writeExperiment(const QString& dir, const QString& name, int batch, int epochs) {
    const QString json = QString(R"({
      "name": "%1", "output_dir": "%2/%1",
      "data": {"dataset": "%2/data/dataset.json", "val_fraction": 0.25,
               "synthetic": {"num_cases": 8, "seed": 3, "size": [32, 32, 32], "num_objs": 4,
                             "rad_max": 8, "rad_min": 3, "noise_max": 0.3, "num_seg_classes": 1}},
      "train_transforms": [
        {"name": "LoadImaged"}, {"name": "EnsureChannelFirstd"}, {"name": "ScaleIntensityd"},
        {"name": "RandCropByPosNegLabeld", "spatial_size": [24, 24, 24], "num_samples": 2},
        {"name": "RandFlipd", "keys": ["image", "label"], "prob": 0.5, "spatial_axis": [0]}],
      "val_transforms": [{"name": "LoadImaged"}, {"name": "EnsureChannelFirstd"}, {"name": "ScaleIntensityd"}],
      "network": {"name": "UNet", "channels": [4, 8, 16], "strides": [2, 2], "num_res_units": 1,
                  "norm": "instance"},
      "loss": {"name": "DiceLoss", "to_onehot_y": true, "softmax": true},
      "optimizer": {"name": "SGD", "lr": 0.1, "momentum": 0.9},
      "trainer": {"max_epochs": %3, "batch_size": %4, "seed": 0, "threads": 1},
      "handlers": {"tensorboard": {"enabled": false}},
      "distributed": {"partition_cache": false, "timeout_s": 60}
    })")
                             .arg(name, dir)
                             .arg(epochs)
                             .arg(batch);
    const QString path = dir + "/" + name + ".json";
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(json.toUtf8()) != json.toUtf8().size())
        qWarning("could not write %s", qPrintable(path));
    return path;
}

/// Runs the CLI; returns its exit code, its output in `out`.
int runCli(const QStringList& args, QString* out = nullptr) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(MEDULLA_CLI_PATH, args);
    if (!p.waitForFinished(240000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    const QString text = QString::fromUtf8(p.readAll());
    if (out)
        *out = text;
    if (p.exitCode() != 0)
        qWarning("%s", qPrintable(text));
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

int launch2(const QStringList& trainArgs, QString* out = nullptr) {
    return runCli(QStringList{"launch", "--nproc-per-node", "2", "--master-port", "0", "--"} +
                      QStringList{"train"} + trainArgs,
                  out);
}

/// val_mean_dice per epoch from a run's metrics.csv.
std::vector<double> validationDice(const QString& run) {
    std::vector<double> v;
    std::ifstream in((run + "/metrics.csv").toStdString());
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line))
        v.push_back(std::stod(line.substr(line.find(',') + 1)));
    return v;
}

at::Tensor weights(const QString& file) {
    NetworkPtr net = networkRegistry().create(Json{{"name", "UNet"},
                                                   {"channels", {4, 8, 16}},
                                                   {"strides", {2, 2}},
                                                   {"num_res_units", 1},
                                                   {"norm", "instance"}},
                                              "network");
    loadCheckpoint(file.toStdString(), *net);
    std::vector<at::Tensor> flat;
    for (const auto& p : net->parameters())
        flat.push_back(p.detach().reshape(-1));
    return torch::cat(flat);
}

} // namespace

class TestDistributedTraining : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid()); // the first run writes the dataset the others read
    }

    void twoProcessesTrainLikeOneWithTheCombinedBatch() {
        const QString one = writeExperiment(dir_.path(), "one", 2, 3);
        const QString two = writeExperiment(dir_.path(), "two", 1, 3);
        QCOMPARE(runCli({"train", one, "--quiet"}), 0);
        QString log;
        QCOMPARE(launch2({two}, &log), 0);
        QVERIFY2(log.contains("rank 0 of 2 joined (gloo"), qPrintable(log));
        QVERIFY2(log.contains("indexes all training cases (sampler)"), qPrintable(log));
        // rank 0 alone reports: one epoch line per epoch
        QCOMPARE(log.count("epoch   3/3"), 1);

        const std::vector<double> d1 = validationDice(dir_.filePath("one"));
        const std::vector<double> d2 = validationDice(dir_.filePath("two"));
        QCOMPARE(d1.size(), size_t(3));
        QCOMPARE(d2.size(), size_t(3));
        for (size_t e = 0; e < 3; ++e) {
            qInfo("epoch %zu: val mean Dice %.6f (1 process) vs %.6f (2 processes)", e + 1, d1[e],
                  d2[e]);
            QVERIFY2(std::abs(d1[e] - d2[e]) < 1e-4, std::to_string(d2[e] - d1[e]).c_str());
        }
        QVERIFY(d1.back() > 0.3); // it learnt something: the comparison is not trivial
        const at::Tensor w1 = weights(dir_.filePath("one/checkpoint.pt"));
        const at::Tensor w2 = weights(dir_.filePath("two/checkpoint.pt"));
        const double diff = (w1 - w2).abs().max().item<double>();
        qInfo("max |weight difference| after 9 steps: %.3g", diff);
        QVERIFY2(diff < 1e-4, std::to_string(diff).c_str());
        // the per-case table has every validation case once, in datalist order
        QFile cases(dir_.filePath("two/val_cases_epoch3.csv"));
        QVERIFY(cases.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(cases.readAll()).trimmed().split('\n').size(), 3);
        // train.log written by rank 0 alone: each iteration line once
        QFile trainLog(dir_.filePath("two/train.log"));
        QVERIFY(trainLog.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(trainLog.readAll()).count("Epoch: 3/3, Iter: 3/3"), 1);
    }

    void resumedDistributedRunEndsLikeAnUninterruptedOne() {
        // 4 epochs straight, and 2 epochs then --resume to 4
        const QString full = writeExperiment(dir_.path(), "full", 1, 4);
        QCOMPARE(launch2({full, "--quiet"}), 0);
        const QString part = writeExperiment(dir_.path(), "part", 1, 4);
        QCOMPARE(launch2({part, "--quiet", "--epochs", "2"}), 0);
        QString log;
        QCOMPARE(launch2({part, "--quiet", "--resume"}, &log), 0);
        QVERIFY2(log.contains("resuming from"), qPrintable(log));
        const std::vector<double> a = validationDice(dir_.filePath("full"));
        const std::vector<double> b = validationDice(dir_.filePath("part"));
        QCOMPARE(a.size(), size_t(4));
        QCOMPARE(b.size(), size_t(4));
        QVERIFY2(std::abs(a[3] - b[3]) < 1e-4, std::to_string(b[3] - a[3]).c_str());
        const double diff = (weights(dir_.filePath("full/checkpoint.pt")) -
                             weights(dir_.filePath("part/checkpoint.pt")))
                                .abs()
                                .max()
                                .item<double>();
        qInfo("resumed vs uninterrupted: max |weight difference| %.3g", diff);
        QVERIFY2(diff < 1e-4, std::to_string(diff).c_str());
    }

    void killedWorkerStopsRankZeroWhichResumesLater() {
        // the two ranks started by hand (as another launcher would); rank 1
        // is killed once rank 0 has finished its first epoch
        const QString exp = writeExperiment(dir_.path(), "killed", 1, 40);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("WORLD_SIZE", "2");
        env.insert("MASTER_ADDR", "127.0.0.1");
        env.insert("MASTER_PORT", QString::number(freeLocalPort()));
        QProcess ranks[2];
        for (int r = 0; r < 2; ++r) {
            QProcessEnvironment e = env;
            e.insert("RANK", QString::number(r));
            ranks[r].setProcessEnvironment(e);
            ranks[r].setProcessChannelMode(QProcess::MergedChannels);
            ranks[r].start(MEDULLA_CLI_PATH, {"train", exp});
        }
        QElapsedTimer t;
        t.start();
        QString out0;
        while (!out0.contains("epoch   1/40") && t.elapsed() < 120000) {
            ranks[0].waitForReadyRead(200);
            out0 += QString::fromUtf8(ranks[0].readAll());
        }
        QVERIFY2(out0.contains("epoch   1/40"), qPrintable(out0));
        ranks[1].kill(); // SIGKILL
        ranks[1].waitForFinished();
        QElapsedTimer stop;
        stop.start();
        QVERIFY(ranks[0].waitForFinished(60000)); // timeout_s is 60; a closed peer is seen at once
        out0 += QString::fromUtf8(ranks[0].readAll());
        qInfo("rank 0 stopped %.1f s after rank 1 was killed", stop.elapsed() / 1000.0);
        QCOMPARE(ranks[0].exitCode(), 1);
        QVERIFY2(out0.contains("error: rank 0 of 2:") && out0.contains("failed"), qPrintable(out0));
        // the last checkpoint stays and the run resumes from it on 2 processes
        QVERIFY(QFile::exists(dir_.filePath("killed/checkpoint.pt")));
        QString log;
        QCOMPARE(launch2({exp, "--epochs", "3", "--resume"}, &log), 0);
        QVERIFY2(log.contains("resuming from"), qPrintable(log));
    }
};

QTEST_APPLESS_MAIN(TestDistributedTraining)
#include "test_distributed_training.moc"
