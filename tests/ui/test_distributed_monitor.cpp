/// The training monitor running a multi-process experiment ("distributed":
/// {"nproc_per_node": 2}) by clicks: rank 0 trains inside this process (its
/// curves and validation Dice fill the monitor), rank 1 is a `medulla train`
/// child process ($MEDULLA_CLI) logging to <run>/workers/rank1.log. Also:
/// Pause / Resume / Cancel hold and stop both ranks, "Resume run" passes
/// the checkpoint to the worker too, a missing `medulla` program is an
/// inline error, and a worker that dies at once fails the run with a
/// message naming rank 1, its exit code and the end of its log.
/// Screenshot: distributed-monitor.png.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>

#include "tests/ui/IterationSpy.h"
#include "tests/ui/UiTestSupport.h"
#include "ui/bridge/TrainingController.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/model/RunHistory.h"
#include "ui/panels/TrainingMonitor.h"

using namespace medulla;
using medulla::ui::test::lastEvent;
using medulla::ui::test::totalEvents;
using namespace medulla::ui;

namespace {

constexpr int kEpochs = 2;

QStringList readLines(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}

/// The pid of this process's child running `medulla train` for `run`
/// (/proc/<pid>/stat's parent pid and /proc/<pid>/cmdline), or 0.
qint64 workerPid(const QString& run) {
    const qint64 self = QCoreApplication::applicationPid();
    for (const QString& entry : QDir("/proc").entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (!numeric)
            continue;
        QFile stat("/proc/" + entry + "/stat"), cmd("/proc/" + entry + "/cmdline");
        if (!stat.open(QIODevice::ReadOnly) || !cmd.open(QIODevice::ReadOnly))
            continue;
        const QByteArray s = stat.readAll();
        const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1 && fields[1].toLongLong() == self &&
            cmd.readAll().contains((run + "/experiment-launch.json").toUtf8()))
            return pid;
    }
    return 0;
}

QStringList runFolders(const QString& dir) {
    return QDir(dir).entryList({"run-*"}, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

/// The tiny experiment as two processes; a dead peer is given up after 20 s.
Json twoProcessExperiment(const QString& dir, int epochs) {
    ExperimentDocument doc;
    QString error;
    if (!doc.load(test::writeTinyExperiment(dir, "ddp-monitor", "runs", 12, 0.25, epochs, 1),
                  &error))
        qWarning("%s", qPrintable(error));
    Json j = doc.json();
    j["distributed"] = Json{{"nproc_per_node", 2}, {"timeout_s", 20}};
    return j;
}

} // namespace

class TestDistributedMonitor : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    ExperimentDocument doc_;
    TrainingMonitor* monitor_ = nullptr;

    QString runsDir() const { return tmp_.path() + "/runs"; }
    QString log() const { return monitor_->logView()->toPlainText(); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        qputenv("MEDULLA_CLI", MEDULLA_CLI_PATH);
        doc_.setJson(twoProcessExperiment(tmp_.path(), kEpochs));
        monitor_ = new TrainingMonitor;
        monitor_->setInteractive(false);
        monitor_->setDocument(&doc_);
        monitor_->resize(1200, 800);
        monitor_->show();
        QVERIFY(QTest::qWaitForWindowExposed(monitor_));
        QCOMPARE(monitor_->controller()->cliProgram(), QString(MEDULLA_CLI_PATH));
    }

    void cleanupTestCase() {
        delete monitor_; // stops and reaps any worker still running
        monitor_ = nullptr;
    }

    void cleanup() {
        if (QTest::currentTestFailed()) // what rank 0 and the controller said
            qInfo().noquote() << "monitor log:\n" << log().right(6000);
    }

    void missingProgramIsAnInlineError() {
        const QString missing = tmp_.path() + "/no-such-dir/medulla";
        qputenv("MEDULLA_CLI", missing.toUtf8());
        QTest::mouseClick(monitor_->startButton(), Qt::LeftButton);
        qputenv("MEDULLA_CLI", MEDULLA_CLI_PATH);
        QVERIFY2(monitor_->errorText().contains(missing), qPrintable(monitor_->errorText()));
        QVERIFY2(monitor_->errorText().contains("MEDULLA_CLI"), qPrintable(monitor_->errorText()));
        QVERIFY(log().contains("error: " + missing));
        QCOMPARE(monitor_->controller()->state(), JobState::Idle);
        QVERIFY(monitor_->startButton()->isEnabled());
        QVERIFY(runFolders(runsDir()).isEmpty()); // the fresh run folder went again
    }

    void twoProcessesTrainAndRankZeroReports() {
        TrainingController* c = monitor_->controller();
        QSignalSpy finished(c, &TrainingController::finished);
        QSignalSpy epochs(c, &TrainingController::epochFinished);
        QSignalSpy iterations(c, &TrainingController::iterations);
        QSignalSpy workersEnded(c, &TrainingController::workersEnded);
        QSignalSpy started(monitor_, &TrainingMonitor::runStarted);
        QTest::mouseClick(monitor_->startButton(), Qt::LeftButton);
        QVERIFY2(monitor_->errorText().isEmpty(), qPrintable(monitor_->errorText()));
        QCOMPARE(started.count(), 1);
        const QString run = started.at(0).at(0).toString();
        QCOMPARE(c->processes(), 2);
        QCOMPARE(c->workerLogDir(), run + "/workers");
        QVERIFY2(log().contains("starting 2 processes (rank 0 here, rank 1 as a worker, logs in " +
                                run + "/workers)"),
                 qPrintable(log()));
        QVERIFY(QFile::exists(run + "/experiment-launch.json"));
        QVERIFY(c->workersRunning());
        QCOMPARE(c->workerExitStatus(1), -1); // running

        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 240000);
        QCOMPARE(finished.at(0).at(0).value<JobState>(), JobState::Completed);
        QVERIFY2(monitor_->errorText().isEmpty(), qPrintable(monitor_->errorText()));
        QVERIFY(log().contains("rank 0 of 2 joined"));

        // rank 0's curves: every iteration it reported is a point; a
        // validation point per epoch; Dice values in the log
        const int received = totalEvents(iterations);
        const IterationEvent last = lastEvent(iterations);
        QVERIFY(received > 0);
        QCOMPARE(monitor_->lossPointCount(), received);
        // DDP semantics: 9 training cases dealt to 2 ranks, 5 each (padded),
        // batches of 2 -> 3 iterations per epoch on every rank (one process: 5)
        QCOMPARE(last.iterationsPerEpoch, 3);
        QCOMPARE(last.globalStep, 3LL * kEpochs);
        QCOMPARE(received, 3 * kEpochs);
        QCOMPARE(monitor_->valPointCount(), kEpochs);
        QCOMPARE(epochs.size(), kEpochs);
        for (int e = 0; e < kEpochs; ++e) {
            const auto ev = epochs.at(e).at(0).value<EpochEvent>();
            QCOMPARE(ev.epoch, e + 1);
            QVERIFY2(ev.valMeanDice >= 0 && ev.valMeanDice <= 1,
                     qPrintable(QString::number(ev.valMeanDice)));
        }
        QVERIFY(log().contains(QString("epoch %1/%1").arg(kEpochs)));
        QVERIFY(log().contains("val Dice"));

        // rank 0 alone wrote the run folder: one metrics row per epoch
        QVERIFY(QFile::exists(run + "/checkpoint.pt"));
        QVERIFY(QFile::exists(run + "/experiment.json"));
        const QStringList metrics = readLines(run + "/metrics.csv");
        QCOMPARE(metrics.size(), 1 + kEpochs);
        for (int e = 1; e <= kEpochs; ++e)
            QCOMPARE(metrics.at(e).split(',').at(0).toInt(), e);
        QCOMPARE(readLines(run + "/train.log").filter("trainer completed").size(), 1);

        // the worker: its log exists, it ended on its own with 0
        QVERIFY(QFile::exists(run + "/workers/rank1.log"));
        QTRY_VERIFY_WITH_TIMEOUT(!c->workersRunning(), 30000);
        QCOMPARE(workersEnded.count(), 1);
        QCOMPARE(c->workerExitStatus(1), 0);
        QVERIFY(c->workerFailure().isEmpty());
        QVERIFY2(log().contains("worker processes ended: rank 1 (pid "), qPrintable(log()));
        QVERIFY(!log().contains("stopping the worker processes")); // no SIGTERM was needed

        const QImage shot = test::saveScreenshot(monitor_, "distributed-monitor.png");
        QVERIFY(test::colourCount(shot) > 20);
    }

    void pauseResumeCancelThenResumeRun() {
        TrainingController* c = monitor_->controller();
        // long enough to be interrupted; 5 iterations an epoch (batches of
        // 1), so that a pause can land inside an epoch
        Json j = twoProcessExperiment(tmp_.path(), 200);
        j["trainer"]["batch_size"] = 1;
        doc_.setJson(j);
        QSignalSpy finished(c, &TrainingController::finished);
        QSignalSpy workerFailed(c, &TrainingController::workerFailed);
        QSignalSpy iterations(c, &TrainingController::iterations);
        QSignalSpy started(monitor_, &TrainingMonitor::runStarted);
        QTest::mouseClick(monitor_->startButton(), Qt::LeftButton);
        QCOMPARE(started.count(), 1);
        const QString run = started.at(0).at(0).toString();
        QTRY_VERIFY_WITH_TIMEOUT(monitor_->lossPointCount() >= 2, 180000);
        QTRY_VERIFY_WITH_TIMEOUT(monitor_->pauseButton()->isEnabled(), 30000);

        // Pause holds both ranks: no new points (rank 1 waits for rank 0)
        QTest::mouseClick(monitor_->pauseButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), JobState::Paused, 30000);
        QTest::qWait(500);
        const int paused = monitor_->lossPointCount();
        QTest::qWait(1500);
        QCOMPARE(monitor_->lossPointCount(), paused);
        QVERIFY(c->workersRunning()); // the worker waits, it has not given up
        QTest::mouseClick(monitor_->resumeButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(monitor_->lossPointCount() > paused, 60000);

        // Cancel while paused inside an epoch (not after its last
        // iteration): both ranks stop at that iteration
        IterationEvent at;
        for (int attempt = 0; attempt < 20; ++attempt) {
            // click while an early iteration of an epoch has just ended
            const int seen = int(iterations.size());
            QTRY_VERIFY_WITH_TIMEOUT(
                int(iterations.size()) > seen && lastEvent(iterations).iteration <= 2, 60000);
            const int before = monitor_->lossPointCount();
            QTest::mouseClick(monitor_->pauseButton(), Qt::LeftButton);
            QTRY_COMPARE_WITH_TIMEOUT(c->state(), JobState::Paused, 30000);
            QVERIFY(test::waitUntilSettled(iterations)); // the iteration in flight ends
            at = lastEvent(iterations);
            if (at.iteration < at.iterationsPerEpoch)
                break;
            QTest::mouseClick(monitor_->resumeButton(), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(monitor_->lossPointCount() > before, 60000);
        }
        QVERIFY2(
            at.iteration < at.iterationsPerEpoch,
            qPrintable(QString("paused at %1/%2").arg(at.iteration).arg(at.iterationsPerEpoch)));
        QTest::mouseClick(monitor_->cancelButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).value<JobState>(), JobState::Cancelled);
        QCOMPARE(lastEvent(iterations).globalStep, at.globalStep); // no step after the pause
        // the worker's own exit (cancelled: 130) is no failure
        QTRY_VERIFY_WITH_TIMEOUT(!c->workersRunning(), 30000);
        QCOMPARE(c->workerExitStatus(1), 130);
        QCOMPARE(workerFailed.count(), 0);
        QVERIFY2(monitor_->errorText().isEmpty(), qPrintable(monitor_->errorText()));
        QVERIFY(QFile::exists(run + "/checkpoint.pt"));

        // "Resume run": both ranks continue from checkpoint.pt with the
        // next step; stop again after a few more
        iterations.clear();
        QVERIFY(monitor_->resumeRunButton()->isEnabled());
        QTest::mouseClick(monitor_->resumeRunButton(), Qt::LeftButton);
        QVERIFY2(monitor_->errorText().isEmpty(), qPrintable(monitor_->errorText()));
        QCOMPARE(monitor_->currentRunDir(), run);
        QVERIFY(log().contains("--resume " + run + "/checkpoint.pt"));
        QTRY_VERIFY_WITH_TIMEOUT(totalEvents(iterations) >= 2, 180000);
        const IterationEvent first =
            iterations.at(0).at(0).value<QVector<IterationEvent>>().front();
        QCOMPARE(first.globalStep, at.globalStep + 1);
        QTest::mouseClick(monitor_->cancelButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        QCOMPARE(finished.at(1).at(0).value<JobState>(), JobState::Cancelled);
        QTRY_VERIFY_WITH_TIMEOUT(!c->workersRunning(), 30000);
        QCOMPARE(c->workerExitStatus(1), 130);
        QCOMPARE(workerFailed.count(), 0);
    }

    void workerKilledMidRunFailsTheRun() {
        doc_.setJson(twoProcessExperiment(tmp_.path(), 30));
        TrainingController* c = monitor_->controller();
        QSignalSpy finished(c, &TrainingController::finished);
        QSignalSpy started(monitor_, &TrainingMonitor::runStarted);
        QTest::mouseClick(monitor_->startButton(), Qt::LeftButton);
        QCOMPARE(started.count(), 1);
        const QString run = started.at(0).at(0).toString();
        QTRY_VERIFY_WITH_TIMEOUT(monitor_->lossPointCount() >= 2, 180000);
        const qint64 pid = workerPid(run);
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0); // rank 1 crashes mid-run
        // rank 0's next collective breaks at once; the run fails naming rank 1
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).value<JobState>(), JobState::Failed);
        const QString error = finished.at(0).at(1).toString();
        const QString killed = QString("rank 1 (pid %1) was killed by signal 9").arg(pid);
        QVERIFY2(error.contains(killed), qPrintable(error));
        QVERIFY2(monitor_->errorText().startsWith("Training failed: "),
                 qPrintable(monitor_->errorText()));
        QVERIFY2(monitor_->errorText().contains(killed), qPrintable(monitor_->errorText()));
        QCOMPARE(c->workerExitStatus(1), 128 + SIGKILL);
        QVERIFY(!c->workersRunning());
        QVERIFY(monitor_->startButton()->isEnabled());
    }

    void deadWorkerFailsTheRun() {
        // a "medulla" that fails at once, as a crashed worker would
        const QString script = tmp_.path() + "/failing-medulla.sh";
        {
            QFile f(script);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("#!/bin/sh\necho \"worker $RANK of $WORLD_SIZE failing on purpose\" >&2\n"
                    "exit 3\n");
        }
        QVERIFY(
            QFile::setPermissions(script, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        qputenv("MEDULLA_CLI", script.toUtf8());
        doc_.setJson(twoProcessExperiment(tmp_.path(), kEpochs));
        TrainingController* c = monitor_->controller();
        QSignalSpy finished(c, &TrainingController::finished);
        QSignalSpy workerFailed(c, &TrainingController::workerFailed);
        QTest::mouseClick(monitor_->startButton(), Qt::LeftButton);
        qputenv("MEDULLA_CLI", MEDULLA_CLI_PATH);
        QVERIFY2(monitor_->errorText().isEmpty(), qPrintable(monitor_->errorText()));

        // seen at once, while rank 0 still waits for it
        QTRY_COMPARE_WITH_TIMEOUT(workerFailed.count(), 1, 30000);
        const QString failure = workerFailed.at(0).at(0).toString();
        QVERIFY2(failure.contains(QRegularExpression("^rank 1 \\(pid \\d+\\) exited with code 3")),
                 qPrintable(failure));
        QVERIFY2(failure.contains("worker 1 of 2 failing on purpose"), qPrintable(failure));
        QVERIFY2(monitor_->errorText().contains("rank 1"), qPrintable(monitor_->errorText()));
        QVERIFY(log().contains("worker failed: rank 1"));
        QCOMPARE(c->workerExitStatus(1), 3);

        // the run ends Failed with that message once rank 0 stops waiting
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 200000);
        QCOMPARE(finished.at(0).at(0).value<JobState>(), JobState::Failed);
        const QString error = finished.at(0).at(1).toString();
        QVERIFY2(error.startsWith("rank 1 (pid "), qPrintable(error));
        QVERIFY2(monitor_->errorText().startsWith("Training failed: rank 1 (pid "),
                 qPrintable(monitor_->errorText()));
        QVERIFY(monitor_->startButton()->isEnabled());
        QVERIFY(!c->workersRunning());
    }
};

QTEST_MAIN(TestDistributedMonitor)
#include "test_distributed_monitor.moc"
