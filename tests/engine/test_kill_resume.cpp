/// A real kill -9 and `medulla train --resume`: the command-line tool trains
/// tests/data/resume_experiment.json (synthetic data, CPU, deterministic, 2
/// threads, SmartCache with a background thread, a data-loader worker,
/// dropout, Novograd and a per-iteration StepLR; a checkpoint after every
/// iteration, 3 epochs of 3 iterations) once uninterrupted, and once killed
/// with SIGKILL as soon as its checkpoint.pt holds the 4th iteration, then
/// resumed with --resume. The resumed run must end with bitwise the same
/// weights, optimizer state, generator state and best model as the
/// uninterrupted one, and log the same losses and metrics from the
/// iteration after its checkpoint on.

#include "TestSupport.h"

#include <QProcess>
#include <QThread>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sys/types.h>

#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"
#include "engine/optim/Novograd.h"
#include "engine/optim/OptimizerFactory.h"
#include "engine/training/CheckpointParts.h"
#include "engine/training/Experiment.h"
#include "engine/training/TrainingCheckpoint.h"

namespace fs = std::filesystem;
using namespace medulla;

namespace {

const QString kExperiment = QString(MEDULLA_SOURCE_DIR) + "/tests/data/resume_experiment.json";

/// The lines of a train.log without their time stamps.
std::vector<std::string> logLines(const std::string& file) {
    std::ifstream f(file);
    std::vector<std::string> out;
    for (std::string line; std::getline(f, line);)
        out.push_back(line.size() > 20 ? line.substr(20) : line); // "YYYY-mm-dd HH:MM:SS "
    return out;
}

/// The log split into runs (each starts with "trainer started").
std::vector<std::vector<std::string>> runsOf(const std::vector<std::string>& lines) {
    std::vector<std::vector<std::string>> runs;
    for (const auto& l : lines) {
        if (l.rfind("trainer started", 0) == 0 || runs.empty())
            runs.emplace_back();
        runs.back().push_back(l);
    }
    return runs;
}

bool isLossLine(const std::string& l) {
    return l.rfind("Epoch: ", 0) == 0 && l.find("-- loss: ") != std::string::npos;
}

std::vector<std::string> lossLines(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines)
        if (isLossLine(l))
            out.push_back(l);
    return out;
}

/// The model, the optimizer and the CPU generator state of a run's
/// checkpoint, loaded into fresh objects.
struct Loaded {
    NetworkPtr net;
    std::shared_ptr<torch::optim::Optimizer> optimizer;
    at::Tensor rng;
};

Loaded load(const std::string& file) {
    const Json exp = TrainingCheckpoint::readHeader(file).experiment;
    Loaded l;
    l.net = networkRegistry().create(exp.at("network"), "network");
    l.optimizer = makeOptimizer(exp.at("optimizer"), l.net->parameters(), "optimizer");
    TrainingCheckpoint c;
    addModel(c, *l.net);
    addOptimizer(c, *l.optimizer);
    TrainingCheckpoint::LoadOptions o;
    o.parts = {"model", "optimizer"};
    c.load(file, o);
    torch::serialize::InputArchive root, rng;
    root.load_from(file);
    root.read("rng", rng);
    rng.read("cpu", l.rng, true);
    return l;
}

std::string run(const QStringList& args, int* exitCode) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(MEDULLA_CLI, args);
    p.waitForFinished(-1);
    *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return p.readAll().toStdString();
}

} // namespace

class TestKillResume : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedRunResumesBitwise() {
        QTemporaryDir dir;
        QVERIFY(QDir::setCurrent(dir.path()));
        const QStringList common = {"train", kExperiment, "--threads", "2"};

        // 1. uninterrupted (also writes the synthetic data both runs use)
        int code = 0;
        const std::string fullOut = run(common + QStringList{"--output-dir", "full"}, &code);
        QVERIFY2(code == 0, fullOut.c_str());

        // 2. killed with SIGKILL once the 4th iteration's checkpoint exists
        QProcess victim;
        victim.setProcessChannelMode(QProcess::MergedChannels);
        victim.start(MEDULLA_CLI, common + QStringList{"--output-dir", "kill"});
        QVERIFY(victim.waitForStarted(-1));
        // checkpoint.pt is at iteration >= 4 once it is a second name of the
        // 4th iteration's file, or once a later one exists
        auto pastFourth = [] {
            std::error_code ec;
            const auto links = fs::hard_link_count("kill/checkpoint_iteration=4.pt", ec);
            return (!ec && links >= 2) || fs::exists("kill/checkpoint_iteration=5.pt", ec) ||
                   fs::exists("kill/checkpoint_iteration=6.pt", ec);
        };
        while (!pastFourth() && victim.state() == QProcess::Running)
            QThread::msleep(2);
        QVERIFY2(victim.state() == QProcess::Running,
                 ("the run ended before it could be killed:\n" + victim.readAll().toStdString())
                     .c_str());
        QCOMPARE(::kill(pid_t(victim.processId()), SIGKILL), 0);
        victim.waitForFinished(-1);
        QCOMPARE(victim.exitStatus(), QProcess::CrashExit);

        // 3. resumed from the run folder's latest checkpoint
        const CheckpointHeader at = TrainingCheckpoint::readHeader("kill/checkpoint.pt");
        const int64_t resumedAfter = at.progress.at("iteration").get<int64_t>();
        QVERIFY2(resumedAfter >= 4 && resumedAfter < 9, std::to_string(resumedAfter).c_str());
        const std::string resumedOut =
            run(common + QStringList{"--output-dir", "kill", "--resume"}, &code);
        QVERIFY2(code == 0, resumedOut.c_str());
        QVERIFY2(resumedOut.find("resuming from kill/checkpoint.pt") != std::string::npos,
                 resumedOut.c_str());
        QVERIFY2(resumedOut.find("restored the training state of epoch") != std::string::npos,
                 resumedOut.c_str());

        // 4. bitwise: weights and BN buffers, optimizer state, generator, best model
        const Loaded a = load("full/checkpoint.pt"), b = load("kill/checkpoint.pt");
        const StateDict wa = moduleStateDict(*a.net), wb = moduleStateDict(*b.net);
        QCOMPARE(wa.size(), wb.size());
        for (const auto& kv : wa)
            QVERIFY2(torch::equal(kv.second, wb.at(kv.first)), kv.first.c_str());
        const auto& pa = a.optimizer->param_groups()[0].params();
        const auto& pb = b.optimizer->param_groups()[0].params();
        for (size_t i = 0; i < pa.size(); ++i) {
            auto& sa = static_cast<NovogradParamState&>(
                *a.optimizer->state().at(c10::guts::to_string(pa[i].unsafeGetTensorImpl())));
            auto& sb = static_cast<NovogradParamState&>(
                *b.optimizer->state().at(c10::guts::to_string(pb[i].unsafeGetTensorImpl())));
            QCOMPARE(sa.step(), sb.step());
            QVERIFY(torch::equal(sa.exp_avg(), sb.exp_avg()));
            QVERIFY(torch::equal(sa.exp_avg_sq(), sb.exp_avg_sq()));
        }
        QVERIFY(torch::equal(a.rng, b.rng)); // dropout drew the same numbers
        const StateDict ba = readStateDict("full/best_model_state.pt");
        const StateDict bb = readStateDict("kill/best_model_state.pt");
        QCOMPARE(ba.size(), bb.size());
        for (const auto& kv : ba)
            QVERIFY2(torch::equal(kv.second, bb.at(kv.first)), kv.first.c_str());
        QCOMPARE(TrainingCheckpoint::readHeader("kill/checkpoint.pt").progress,
                 TrainingCheckpoint::readHeader("full/checkpoint.pt").progress);

        // 5. the logs: the killed run's lines are the start of the full run's;
        // the resumed run's lines are the full run's from its checkpoint on
        const auto full = runsOf(logLines("full/train.log"));
        const auto killed = runsOf(logLines("kill/train.log"));
        QCOMPARE(full.size(), size_t(1));
        QCOMPARE(killed.size(), size_t(2));
        QVERIFY2(killed[1].front().find("resuming after iteration") != std::string::npos,
                 killed[1].front().c_str());
        const auto fullLosses = lossLines(full[0]);
        const auto before = lossLines(killed[0]);
        QCOMPARE(fullLosses.size(), size_t(9));
        // (the kill may land between a checkpoint and its iteration's log line)
        QVERIFY(before.size() <= fullLosses.size());
        for (size_t i = 0; i < before.size(); ++i)
            QCOMPARE(before[i], fullLosses[i]);
        // everything after the resume point: losses, validation metrics, best
        const std::string firstResumed = lossLines(killed[1]).front();
        QCOMPARE(firstResumed, fullLosses[size_t(resumedAfter)]);
        auto from = std::find(full[0].begin(), full[0].end(), firstResumed);
        const std::vector<std::string> fullTail(from, full[0].end());
        const std::vector<std::string> resumedTail(killed[1].begin() + 1, killed[1].end());
        QCOMPARE(resumedTail, fullTail);
    }
};

QTEST_GUILESS_MAIN(TestKillResume)
#include "test_kill_resume.moc"
