/// The training monitor driven by clicks: Start fills the curves, Pause
/// stops them, Resume continues, Cancel ends the run, "Resume run" finishes
/// it from its checkpoint, a second Start gets its own run folder, and the
/// run history overlays both runs. Runs a tiny synthetic experiment (32^3
/// spheres, UNet 4-8-16). Screenshots: training-monitor.png, run-history.png.

#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStyle>
#include <QStyleOptionViewItem>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTreeView>
#include <QtTest>

#include "tests/ui/IterationSpy.h"
#include "tests/ui/UiTestSupport.h"
#include "ui/bridge/TrainingController.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/model/RunHistory.h"
#include "ui/panels/TrainingMonitor.h"
#include "ui/widgets/CurvePlot.h"

using namespace medulla;
using namespace medulla::ui;

namespace {

constexpr int kEpochs = 6;

QString writeExperiment(const QString& dir) {
    return test::writeTinyExperiment(dir, "monitor-test", "runs", 12, 0.25, kEpochs, 1);
}

QStringList readLines(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    return lines;
}

QString viewText(RunHistory* h, int row, int column) {
    return h->data(h->index(row, column), Qt::DisplayRole).toString();
}

/// The run folders under `dir` (run-YYYYMMDD-HHMMSS[-n]).
QStringList runFolders(const QString& dir) {
    return QDir(dir).entryList({"run-*"}, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

} // namespace

class TestTrainingMonitor : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    ExperimentDocument doc_;
    TrainingMonitor* monitor_ = nullptr;
    QString firstRun_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        QString error;
        QVERIFY2(doc_.load(writeExperiment(tmp_.path()), &error), qPrintable(error));
        monitor_ = new TrainingMonitor;
        monitor_->setInteractive(false);
        monitor_->setDocument(&doc_);
        monitor_->resize(1200, 800);
        monitor_->show();
        QVERIFY(QTest::qWaitForWindowExposed(monitor_));
        QVERIFY(monitor_->startButton()->isEnabled());
        QVERIFY(!monitor_->pauseButton()->isEnabled());
        QVERIFY(!monitor_->cancelButton()->isEnabled());
        QVERIFY(!monitor_->resumeRunButton()->isEnabled()); // nothing to resume yet
    }

    void formatsEta() {
        QCOMPARE(TrainingMonitor::formatEta(192), QString("ETA 3 min 12 s"));
        QCOMPARE(TrainingMonitor::formatEta(45.4), QString("ETA 45 s"));
        QCOMPARE(TrainingMonitor::formatEta(3900), QString("ETA 1 h 5 min"));
        QVERIFY(TrainingMonitor::residentBytes() > 1024 * 1024);
        QVERIFY(monitor_->memoryText().startsWith("RSS "));
    }

    void invalidExperimentShowsTheField() {
        Json bad = doc_.json();
        bad["network"]["channels"] = "eight";
        ExperimentDocument other;
        other.setJson(bad);
        monitor_->setDocument(&other);
        QTest::mouseClick(monitor_->startButton(), Qt::LeftButton);
        QVERIFY2(monitor_->errorText().contains("network"), qPrintable(monitor_->errorText()));
        QVERIFY(runFolders(tmp_.path() + "/runs").isEmpty()); // no run folder for a bad experiment
        QCOMPARE(monitor_->controller()->state(), JobState::Idle);
        monitor_->setDocument(&doc_);
    }

    void startPauseResumeCancel() {
        TrainingController* c = monitor_->controller();
        QSignalSpy iterations(c, &TrainingController::iterations);
        QSignalSpy finished(c, &TrainingController::finished);
        QSignalSpy started(monitor_, &TrainingMonitor::runStarted);
        QTest::mouseClick(monitor_->startButton(), Qt::LeftButton);
        QVERIFY2(monitor_->errorText().isEmpty(), qPrintable(monitor_->errorText()));
        QCOMPARE(started.count(), 1);
        firstRun_ = started.at(0).at(0).toString();
        QVERIFY(QFileInfo(firstRun_).fileName().startsWith("run-"));
        QCOMPARE(QFileInfo(firstRun_).absolutePath(), QDir(tmp_.path() + "/runs").absolutePath());
        QVERIFY(!monitor_->startButton()->isEnabled());

        // running: Pause enabled, curves fill, ETA and throughput known
        QTRY_VERIFY_WITH_TIMEOUT(monitor_->pauseButton()->isEnabled(), 120000);
        QTRY_VERIFY_WITH_TIMEOUT(monitor_->lossPointCount() >= 3, 120000);
        QTRY_VERIFY_WITH_TIMEOUT(monitor_->etaText() != "ETA -", 30000);
        QVERIFY2(QRegularExpression("^ETA (\\d+ h \\d+ min|\\d+ min \\d+ s|\\d+ s)$")
                     .match(monitor_->etaText())
                     .hasMatch(),
                 qPrintable(monitor_->etaText()));
        QVERIFY2(monitor_->throughputText().contains("samples/s"),
                 qPrintable(monitor_->throughputText()));
        QTest::mouseClick(monitor_->pauseButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), JobState::Paused, 30000);
        QVERIFY(monitor_->resumeButton()->isEnabled());
        QVERIFY(!monitor_->pauseButton()->isEnabled());
        QVERIFY(monitor_->cancelButton()->isEnabled());
        // the iteration in flight at the click and the last batch of points
        QVERIFY2(test::waitUntilSettled(iterations), "points kept coming after Pause");
        const int paused = monitor_->lossPointCount();
        QTest::qWait(1000);
        QCOMPARE(monitor_->lossPointCount(), paused); // nothing trains while paused

        // every iteration received is a point; the CSV has one row per point
        const int received = test::totalEvents(iterations);
        const IterationEvent lastEvent = test::lastEvent(iterations);
        QCOMPARE(monitor_->lossPointCount(), received);
        QVERIFY(lastEvent.globalStep >= 3);
        const QString csv = tmp_.path() + "/curves.csv";
        QVERIFY(monitor_->exportCsv(csv));
        const QStringList lines = readLines(csv);
        QCOMPARE(lines.first(), QString("iteration,epoch,loss,mean_loss,val_metric"));
        QCOMPARE(lines.size() - 1, monitor_->lossPointCount());
        const QStringList lastRow = lines.last().split(',');
        QCOMPARE(lastRow.at(0).toLongLong(), lastEvent.globalStep);
        QCOMPARE(lastRow.at(1).toInt(), lastEvent.epoch);
        QCOMPARE(lastRow.at(2).toDouble(), lastEvent.loss);

        // log scale toggles the loss axis
        QVERIFY(!monitor_->plot()->logScale());
        QTest::mouseClick(monitor_->logScaleBox(), Qt::LeftButton);
        QCOMPARE(monitor_->plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(!monitor_->plot()->yAxis->ticker().dynamicCast<QCPAxisTickerLog>().isNull());
        QTest::mouseClick(monitor_->logScaleBox(), Qt::LeftButton);
        QCOMPARE(monitor_->plot()->yAxis->scaleType(), QCPAxis::stLinear);

        // resume: points grow again
        QTest::mouseClick(monitor_->resumeButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), JobState::Running, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(monitor_->lossPointCount() > paused, 60000);

        // cancel
        QVERIFY(c->state() == JobState::Running); // still short of the end
        QTest::mouseClick(monitor_->cancelButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).value<JobState>(), JobState::Cancelled);
        QVERIFY(monitor_->startButton()->isEnabled());
        QVERIFY(!monitor_->cancelButton()->isEnabled());
        QVERIFY(!monitor_->pauseButton()->isEnabled());
        QVERIFY(QFile::exists(firstRun_ + "/checkpoint.pt"));
        QVERIFY(monitor_->resumeRunButton()->isEnabled());
        QVERIFY(monitor_->logView()->toPlainText().contains("cancelled"));
        // the history lists the cancelled run
        QCOMPARE(monitor_->history()->rowCount(), 1);
        QCOMPARE(viewText(monitor_->history(), 0, RunHistory::Run),
                 QFileInfo(firstRun_).fileName());
        QCOMPARE(viewText(monitor_->history(), 0, RunHistory::State), QString("cancelled"));
    }

    void resumeRunCompletesAllEpochs() {
        TrainingController* c = monitor_->controller();
        QSignalSpy finished(c, &TrainingController::finished);
        QSignalSpy epochs(c, &TrainingController::epochFinished);
        QSignalSpy ended(monitor_, &TrainingMonitor::runFinished);
        const int before = monitor_->lossPointCount();
        QTest::mouseClick(monitor_->resumeRunButton(), Qt::LeftButton);
        QVERIFY2(monitor_->errorText().isEmpty(), qPrintable(monitor_->errorText()));
        QCOMPARE(monitor_->currentRunDir(), firstRun_);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
        QCOMPARE(finished.at(0).at(0).value<JobState>(), JobState::Completed);
        QCOMPARE(ended.count(), 1);
        QCOMPARE(ended.at(0).at(0).toString(), firstRun_);
        QVERIFY(monitor_->lossPointCount() > before); // the curve went on
        QVERIFY(!epochs.isEmpty());
        QCOMPARE(epochs.last().at(0).value<EpochEvent>().epoch, kEpochs);
        // the run folder has a metrics row for every epoch 1..max_epochs
        const QStringList metrics = readLines(firstRun_ + "/metrics.csv");
        QCOMPARE(metrics.size() - 1, kEpochs);
        QCOMPARE(metrics.last().split(',').at(0).toInt(), kEpochs);
        QCOMPARE(monitor_->epochBar()->value(), kEpochs);
        QVERIFY(monitor_->logView()->toPlainText().contains(QString("epoch %1/%1").arg(kEpochs)));
        // a completed run cannot be resumed again
        const RunSummary run = readRun(firstRun_.toStdString());
        QCOMPARE(run.lastState, std::string("completed"));
        QCOMPARE(run.maxEpochs, kEpochs);
        QVERIFY(!monitor_->resumeRunButton()->isEnabled());
        QVERIFY(!monitor_->resumeRun(firstRun_));
        QVERIFY(monitor_->errorText().contains("already completed"));
    }

    void secondRunAndHistoryOverlay() {
        TrainingController* c = monitor_->controller();
        QSignalSpy finished(c, &TrainingController::finished);
        QSignalSpy started(monitor_, &TrainingMonitor::runStarted);
        // another learning rate: Start reads the document at the click
        doc_.setSection("optimizer", Json{{"name", "Adam"}, {"lr", 0.003}});
        QTest::mouseClick(monitor_->startButton(), Qt::LeftButton);
        QCOMPARE(started.count(), 1);
        QVERIFY(monitor_->errorText().isEmpty());
        const QString second = started.at(0).at(0).toString();
        QVERIFY(second != firstRun_);
        QCOMPARE(monitor_->history()->rowCount(), 2); // the new run is listed at once
        // a fresh live curve; a screenshot while it trains
        QTRY_VERIFY_WITH_TIMEOUT(monitor_->valPointCount() >= 2, 300000);
        QVERIFY(monitor_->lossPointCount() >= 2 * monitor_->iterationBar()->maximum());
        monitor_->plot()->replot();
        const QImage during = test::saveScreenshot(monitor_, "training-monitor.png");
        QVERIFY(test::colourCount(during) > 20);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
        QCOMPARE(finished.at(0).at(0).value<JobState>(), JobState::Completed);
        QCOMPARE(runFolders(tmp_.path() + "/runs").size(), 2);

        // the history: both runs, with their epochs and best Dice from the files
        RunHistory* h = monitor_->history();
        QCOMPARE(h->rowCount(), 2);
        QCOMPARE(monitor_->historyList()->model()->rowCount(), 2);
        const int r1 = h->rowOf(firstRun_), r2 = h->rowOf(second);
        QVERIFY(r1 >= 0 && r2 >= 0);
        QCOMPARE(viewText(h, r1, RunHistory::Epochs), QString("%1/%1").arg(kEpochs));
        QCOMPARE(viewText(h, r2, RunHistory::State), QString("completed"));
        for (int r : {r1, r2}) {
            const RunSummary& run = h->runs()[size_t(r)];
            QCOMPARE(run.epochs, kEpochs);
            QCOMPARE(int(run.metric.size()), kEpochs);
            QCOMPARE(int(run.epochLoss.size()), kEpochs);
            QCOMPARE(run.metricName, std::string("val_mean_dice"));
            // best = the highest metrics.csv value
            double best = -1;
            for (double m : run.metric)
                best = std::max(best, m);
            QCOMPARE(run.bestMetric, best);
            QVERIFY(!run.started.empty());
        }
        // the history's epoch loss of the second run matches the live epoch means
        // (train.log has 4 decimals)
        const RunSummary& live = h->runs()[size_t(r2)];
        const QCPGraph* epochGraph = monitor_->plot()->graph(1);
        QCOMPARE(epochGraph->dataCount(), kEpochs);
        for (int e = 0; e < kEpochs; ++e)
            QVERIFY(std::abs(live.epochLoss[size_t(e)] - epochGraph->data()->at(e)->value) < 1e-3);

        // check both runs by clicking their check boxes: 2 graphs each overlaid
        const int baseGraphs = monitor_->plot()->graphCount();
        QTreeView* view = monitor_->historyList();
        for (int r : {r1, r2}) {
            const QModelIndex idx = view->model()->index(r, RunHistory::Run);
            QStyleOptionViewItem opt;
            opt.initFrom(view->viewport());
            opt.rect = view->visualRect(idx);
            opt.features |= QStyleOptionViewItem::HasCheckIndicator;
            const QRect box =
                view->style()->subElementRect(QStyle::SE_ItemViewItemCheckIndicator, &opt, view);
            QVERIFY(!h->isChecked(r));
            QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, box.center());
            QVERIFY(h->isChecked(r));
        }
        QCOMPARE(monitor_->plot()->overlayGraphCount(), 4);
        QCOMPARE(monitor_->plot()->graphCount(), baseGraphs + 4);
        QStringList names;
        for (int i = baseGraphs; i < monitor_->plot()->graphCount(); ++i) {
            names << monitor_->plot()->graph(i)->name();
            QCOMPARE(monitor_->plot()->graph(i)->dataCount(), kEpochs);
        }
        QVERIFY(names.join(' ').contains(QFileInfo(firstRun_).fileName()));
        QVERIFY(names.join(' ').contains(QFileInfo(second).fileName()));
        monitor_->plot()->replot();
        const QImage shot = test::saveScreenshot(monitor_, "run-history.png");
        QVERIFY(test::colourCount(shot) > 20);
        // unchecking one removes its two graphs
        h->setChecked(r1, false);
        QCOMPARE(monitor_->plot()->overlayGraphCount(), 2);

        // PNG export writes a real image of the plot
        const QString png = tmp_.path() + "/curves.png";
        QVERIFY(monitor_->exportPng(png));
        QImage img(png);
        QVERIFY(!img.isNull());
        QVERIFY(img.width() > 100 && img.height() > 100);
        QVERIFY(test::colourCount(img) > 10);
    }

    /// A failed check must not leave a run paused or running for the next
    /// case (it would wait for a start that never comes).
    void cleanup() {
        TrainingController* c = monitor_->controller();
        if (!QTest::currentTestFailed() || !c->isRunning())
            return;
        c->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!c->isRunning(), 60000);
    }

    void cleanupTestCase() {
        delete monitor_;
        monitor_ = nullptr;
    }
};

QTEST_MAIN(TestTrainingMonitor)
#include "test_training_monitor.moc"
