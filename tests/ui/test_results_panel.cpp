/// The Results panel driven with real clicks: a tiny model trained by the
/// `medulla` CLI, the validation set evaluated in the panel and compared
/// with `medulla evaluate`'s evaluation.csv, numeric sorting by header
/// clicks, a row click selecting the case, a single unlabelled prediction,
/// export and cancel. Screenshot: <build>/screenshots/results.png.

#include <QFile>
#include <QHeaderView>
#include <QLineEdit>
#include <QMap>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "engine/io/NiftiIO.h"
#include "engine/services/EvaluationService.h"
#include "tests/ui/UiTestSupport.h"
#include "ui/model/CaseResultsModel.h"
#include "ui/panels/ResultsPanel.h"

using namespace medulla;
using namespace medulla::ui;

namespace {

QString writeExperiment(const QString& dir) {
    return test::writeTinyExperiment(dir, "results-test", "run", 8, 0.5, 10);
}

/// Runs the CLI; returns its output (fails the test on a non-zero exit).
QString runCli(const QStringList& args, int timeoutMs = 600000) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(MEDULLA_CLI, args);
    if (!p.waitForFinished(timeoutMs))
        qFatal("medulla %s did not finish", qPrintable(args.join(' ')));
    const QString out = QString::fromUtf8(p.readAll());
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        qFatal("medulla %s failed:\n%s", qPrintable(args.join(' ')), qPrintable(out));
    return out;
}

/// evaluation.csv: case -> Dice[1].
QMap<QString, double> readDiceCsv(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    const QStringList header = lines.value(0).split(',');
    const int dice = int(header.indexOf("Dice[1]"));
    QMap<QString, double> out;
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList fields = lines[i].split(',');
        out[fields[0]] = fields.value(dice).toDouble();
    }
    return out;
}

/// Clicks the header of `column` of `table`.
void clickHeader(QTableView* table, int column) {
    QHeaderView* h = table->horizontalHeader();
    const QPoint at(h->sectionViewportPosition(column) + h->sectionSize(column) / 2,
                    h->height() / 2);
    QTest::mouseClick(h->viewport(), Qt::LeftButton, {}, at);
}

/// The numbers of `column` in view order.
QVector<double> columnInViewOrder(const ResultsPanel& panel, int column) {
    QVector<double> v;
    const QAbstractItemModel* m = panel.proxyModel();
    for (int r = 0; r < m->rowCount(); ++r)
        v.push_back(m->index(r, column).data(CaseResultsModel::SortRole).toDouble());
    return v;
}

} // namespace

class TestResultsPanel : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    QString experiment_, run_;
    QMap<QString, double> cliDice_;
    std::vector<std::pair<std::string, std::string>> validation_;
    ResultsPanel* panel_ = nullptr;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        experiment_ = writeExperiment(tmp_.path());
        run_ = tmp_.path() + "/run";
        runCli({"train", experiment_, "--threads", "2", "--quiet"});
        QVERIFY(QFile::exists(run_ + "/best_model_state.pt"));
        QVERIFY(QFile::exists(run_ + "/experiment.json"));
        // the independent reference: the CLI's own evaluation
        runCli({"evaluate", experiment_, "--model", run_, "--output", tmp_.path() + "/cli_eval",
                "--quiet", "--threads", "2"});
        cliDice_ = readDiceCsv(tmp_.path() + "/cli_eval/evaluation.csv");
        QCOMPARE(cliDice_.size(), 4); // val_fraction 0.5 of 8 cases
        EvaluationRequest request;
        request.model = run_.toStdString();
        validation_ = validationCases(request);
        QCOMPARE(int(validation_.size()), 4);

        panel_ = new ResultsPanel;
        panel_->setInteractive(false);
        panel_->resize(900, 560);
        panel_->setOutputDir(tmp_.path() + "/predictions");
        panel_->show();
        QVERIFY(QTest::qWaitForWindowExposed(panel_));
    }

    void cleanupTestCase() { delete panel_; }

    void missingModelIsReportedInline() {
        panel_->setModel(tmp_.path() + "/no-such-run");
        QSignalSpy finished(panel_, &ResultsPanel::evaluationFinished);
        QTest::mouseClick(panel_->evaluateButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QVERIFY(!finished.at(0).at(2).toString().isEmpty());
        QVERIFY2(panel_->statusText().contains("no-such-run"), qPrintable(panel_->statusText()));
        QCOMPARE(panel_->resultsModel()->rowCount(), 0);
    }

    void evaluateValidationMatchesCli() {
        panel_->setModel(run_);
        QCOMPARE(panel_->modelEdit()->text(), run_);
        QSignalSpy finished(panel_, &ResultsPanel::evaluationFinished);
        QSignalSpy rows(panel_, &ResultsPanel::caseFinished);
        QTest::mouseClick(panel_->evaluateButton(), Qt::LeftButton);
        QVERIFY(panel_->isBusy());
        QVERIFY(!panel_->evaluateButton()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
        QVERIFY2(finished.at(0).at(2).toString().isEmpty(),
                 qPrintable(finished.at(0).at(2).toString()));
        QCOMPARE(rows.count(), 4);
        QCOMPARE(panel_->resultsModel()->rowCount(), int(cliDice_.size()));
        QCOMPARE(panel_->progressBar()->value(), 4);
        for (const CaseResult& r : panel_->resultsModel()->results()) {
            const QString name = QString::fromStdString(r.caseName);
            QVERIFY2(cliDice_.contains(name), qPrintable(name));
            QVERIFY2(
                std::abs(r.dice - cliDice_[name]) < 1e-4,
                qPrintable(
                    QString("%1: panel %2, CLI %3").arg(name).arg(r.dice).arg(cliDice_[name])));
            QVERIFY(r.scored);
            QVERIFY(std::isfinite(r.hd95) && r.hd95 >= 0);
            QVERIFY(std::isfinite(r.meanSurfaceDistance) && r.meanSurfaceDistance >= 0);
            QVERIFY(r.meanSurfaceDistance <= r.hd95 + 1e-9 || r.dice > 0.999);
            QVERIFY(QFile::exists(QString::fromStdString(r.prediction)));
        }
        // the summary's mean Dice, recomputed here
        double mean = 0;
        for (double d : cliDice_)
            mean += d / cliDice_.size();
        QVERIFY2(panel_->summaryText().contains(QString::number(mean, 'f', 4)),
                 qPrintable(panel_->summaryText()));
        QVERIFY(panel_->summaryText().startsWith("4 cases"));
    }

    void headerClickSortsNumerically() {
        QVector<double> values = columnInViewOrder(*panel_, CaseResultsModel::DiceColumn);
        QCOMPARE(values.size(), 4);
        QVector<double> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        QVERIFY2(sorted.front() < sorted.back(), "Dice values all equal: sorting not testable");

        QTableView* table = panel_->table();
        clickHeader(table, CaseResultsModel::DiceColumn);
        QCOMPARE(table->horizontalHeader()->sortIndicatorSection(),
                 int(CaseResultsModel::DiceColumn));
        const Qt::SortOrder first = table->horizontalHeader()->sortIndicatorOrder();
        values = columnInViewOrder(*panel_, CaseResultsModel::DiceColumn);
        QVector<double> expected = sorted;
        if (first == Qt::DescendingOrder)
            std::reverse(expected.begin(), expected.end());
        QCOMPARE(values, expected);
        // the displayed text follows the numbers
        QCOMPARE(panel_->proxyModel()->index(0, CaseResultsModel::DiceColumn).data().toString(),
                 QString::number(expected[0], 'f', 4));

        clickHeader(table, CaseResultsModel::DiceColumn);
        QVERIFY(table->horizontalHeader()->sortIndicatorOrder() != first);
        std::reverse(expected.begin(), expected.end());
        QCOMPARE(columnInViewOrder(*panel_, CaseResultsModel::DiceColumn), expected);

        // HD95 sorts by number too (ascending or descending, strictly ordered)
        clickHeader(table, CaseResultsModel::Hd95Column);
        const QVector<double> hd = columnInViewOrder(*panel_, CaseResultsModel::Hd95Column);
        const bool ascending =
            table->horizontalHeader()->sortIndicatorOrder() == Qt::AscendingOrder;
        for (int i = 1; i < hd.size(); ++i)
            QVERIFY(ascending ? hd[i - 1] <= hd[i] : hd[i - 1] >= hd[i]);
    }

    void rowClickSelectsCase() {
        QSignalSpy selected(panel_, &ResultsPanel::caseSelected);
        QTableView* table = panel_->table();
        const QModelIndex index = panel_->proxyModel()->index(2, CaseResultsModel::CaseColumn);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(index).center());
        QCOMPARE(selected.count(), 1);
        const QString image = selected.at(0).at(0).toString();
        const QString label = selected.at(0).at(1).toString();
        const QString prediction = selected.at(0).at(2).toString();
        QCOMPARE(image, index.data(CaseResultsModel::ImageRole).toString());
        QVERIFY(QFile::exists(image));
        QVERIFY(QFile::exists(label));
        QVERIFY(QFile::exists(prediction));
        QVERIFY(prediction.endsWith("_seg.nii.gz"));
        const Volume img = readNifti(image.toStdString());
        const Volume pred = readNifti(prediction.toStdString());
        QCOMPARE(pred.spatialShape(), img.spatialShape());
        QCOMPARE(pred.channels(), int64_t(1));
        // shape, spacing and orientation: "1x32x32x32 float32, 1x1x1 mm, RAS"
        QCOMPARE(pred.describe(), img.describe());
        // a label map: values 0 and 1 only, both present
        const Volume p = pred.toFloatCpu();
        const float* v = p.floatData();
        int64_t zeros = 0, ones = 0, n = 1;
        for (int64_t s : p.spatialShape())
            n *= s;
        for (int64_t i = 0; i < n; ++i) {
            zeros += v[i] == 0.0f;
            ones += v[i] == 1.0f;
        }
        QCOMPARE(zeros + ones, n);
        QVERIFY(zeros > 0 && ones > 0);

        QDir().mkpath(MEDULLA_SCREENSHOT_DIR);
        const QImage shot = test::saveScreenshot(panel_, "results.png");
        QVERIFY(test::colourCount(shot) > 10);
    }

    void predictSingleUnlabelledCase() {
        // a copy of a validation image under a new name, predicted without label
        const QString source = QString::fromStdString(validation_.front().first);
        const QString copy = tmp_.path() + "/single/novel.nii.gz";
        QDir().mkpath(tmp_.path() + "/single");
        QVERIFY(QFile::copy(source, copy));
        QString labelled;
        for (const CaseResult& r : panel_->resultsModel()->results())
            if (r.image == source.toStdString())
                labelled = QString::fromStdString(r.prediction);
        QVERIFY(!labelled.isEmpty());

        QSignalSpy finished(panel_, &ResultsPanel::evaluationFinished);
        panel_->predictCase(copy);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QVERIFY2(finished.at(0).at(2).toString().isEmpty(),
                 qPrintable(finished.at(0).at(2).toString()));
        QCOMPARE(panel_->resultsModel()->rowCount(), 5); // appended
        const CaseResult& r = panel_->resultsModel()->results().back();
        QVERIFY(!r.scored);
        QVERIFY(std::isnan(r.dice));
        QCOMPARE(r.caseName, std::string("novel.nii.gz"));
        const QString pred = QString::fromStdString(r.prediction);
        QVERIFY2(pred.endsWith("novel/novel_seg.nii.gz"), qPrintable(pred));
        // the "—" of a missing metric, and a summary over the 4 scored cases
        const QModelIndex source0 = panel_->resultsModel()->index(4, CaseResultsModel::DiceColumn);
        QCOMPARE(source0.data().toString(), QString::fromUtf8("\u2014"));
        QVERIFY(panel_->summaryText().contains(QString::number(
            panel_->resultsModel()->stats(CaseResultsModel::DiceColumn).mean, 'f', 4)));
        QCOMPARE(panel_->resultsModel()->stats(CaseResultsModel::DiceColumn).count, 4);
        // same image, same model: the same label map as the labelled path
        const Volume a = readNifti(pred.toStdString()).toFloatCpu();
        const Volume b = readNifti(labelled.toStdString()).toFloatCpu();
        QCOMPARE(a.spatialShape(), b.spatialShape());
        int64_t n = 1, differ = 0;
        for (int64_t s : a.spatialShape())
            n *= s;
        for (int64_t i = 0; i < n; ++i)
            differ += a.floatData()[i] != b.floatData()[i];
        QCOMPARE(differ, int64_t(0));
    }

    void exportCopiesPredictions() {
        const QString dir = tmp_.path() + "/export";
        QCOMPARE(panel_->exportPredictions(dir), 5);
        for (const CaseResult& r : panel_->resultsModel()->results()) {
            const QString from = QString::fromStdString(r.prediction);
            QFile a(from), b(QDir(dir).filePath(QFileInfo(from).fileName()));
            QVERIFY(a.open(QIODevice::ReadOnly));
            QVERIFY2(b.open(QIODevice::ReadOnly), qPrintable(b.fileName()));
            QVERIFY(a.readAll() == b.readAll());
        }
        QCOMPARE(QDir(dir).entryList(QDir::Files).size(), 5);
        // a folder that cannot be made: an inline error naming it
        const QString blocked = tmp_.path() + "/blocked";
        QFile f(blocked);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        QCOMPARE(panel_->exportPredictions(blocked + "/sub"), -1);
        QVERIFY2(panel_->statusText().contains("blocked"), qPrintable(panel_->statusText()));
    }

    void cancelStopsEarly() {
        QVector<QPair<QString, QString>> cases;
        for (int k = 0; k < 10; ++k)
            for (const auto& [image, label] : validation_)
                cases.push_back({QString::fromStdString(image), QString::fromStdString(label)});
        QSignalSpy finished(panel_, &ResultsPanel::evaluationFinished);
        QSignalSpy rows(panel_, &ResultsPanel::caseFinished);
        panel_->evaluateCases(cases);
        QTRY_VERIFY_WITH_TIMEOUT(rows.count() >= 1, 120000);
        QVERIFY(panel_->cancelButton()->isEnabled());
        QTest::mouseClick(panel_->cancelButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QVERIFY(finished.at(0).at(1).toBool()); // cancelled
        QVERIFY(finished.at(0).at(2).toString().isEmpty());
        const int done = panel_->resultsModel()->rowCount();
        QVERIFY(done >= 1);
        QVERIFY2(done < 40, qPrintable(QString::number(done)));
        QVERIFY(panel_->statusText().startsWith("Cancelled"));
        QVERIFY(panel_->evaluateButton()->isEnabled());
        QVERIFY(!panel_->cancelButton()->isEnabled());
    }
};

QTEST_MAIN(TestResultsPanel)
#include "test_results_panel.moc"
