#pragma once
/// The studio's training monitor (issue 9, area 6): Start / Pause / Resume /
/// Cancel and "Resume run" (continue a cancelled run from its
/// checkpoint.pt), epoch and iteration progress with ETA, throughput and
/// memory, live loss and validation curves (CurvePlot: zoom, log scale,
/// PNG/CSV export), the log, and the run history of the experiment's
/// output_dir (RunHistory) whose checked runs are overlaid on the plot.
///
/// Every Start creates a new run folder <output_dir>/run-YYYYMMDD-HHMMSS
/// (createRunFolder, engine/services/RunFolders.h) and trains into it, so
/// runs never overwrite each other. Errors (an invalid experiment naming
/// its field, a missing checkpoint) are shown inline (errorText()), never
/// in a dialog. GUI thread only; training runs on the controller's worker.
/// An experiment with "distributed": {"nproc_per_node": N > 1} runs as N
/// processes (TrainingController): the monitor shows rank 0's progress and
/// curves, the log names the worker processes and their log folder
/// (<run>/workers), and a worker that dies is shown at once and fails the run.

#include <QElapsedTimer>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QWidget>

#include "engine/core/Params.h"
#include "engine/training/TrainingEvents.h"

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTreeView;

namespace medulla::ui {

class CurvePlot;
class ExperimentDocument;
class RunHistory;
class TrainingController;

class TrainingMonitor : public QWidget {
    Q_OBJECT
public:
    /// controller: not owned (shared with the main window); nullptr: the
    /// monitor owns one.
    explicit TrainingMonitor(TrainingController* controller = nullptr, QWidget* parent = nullptr);
    ~TrainingMonitor() override;

    /// The experiment to run: Start builds ExperimentConfig::fromJson(
    /// doc->json()) at the moment of the click. Not owned.
    void setDocument(ExperimentDocument* doc);
    /// Or a fixed experiment JSON (used when no document is set).
    void setExperimentJson(const medulla::Json& json);
    /// File dialogs for the export buttons (true by default); false in tests.
    void setInteractive(bool on) { interactive_ = on; }

    TrainingController* controller() const { return controller_; }
    /// The folder of the current (or last) run; empty before any.
    QString currentRunDir() const { return runDir_; }
    /// The folder whose runs the history lists (the experiment's output_dir).
    QString historyDir() const;

    // widgets, for the main window and tests
    QPushButton* startButton() const { return start_; }
    QPushButton* pauseButton() const { return pause_; }
    QPushButton* resumeButton() const { return resume_; }
    QPushButton* cancelButton() const { return cancel_; }
    QPushButton* resumeRunButton() const { return resumeRun_; }
    QCheckBox* logScaleBox() const { return logScale_; }
    QPushButton* exportPngButton() const { return exportPng_; }
    QPushButton* exportCsvButton() const { return exportCsv_; }
    CurvePlot* plot() const { return plot_; }
    QProgressBar* epochBar() const { return epochBar_; }
    QProgressBar* iterationBar() const { return iterBar_; }
    QTreeView* historyList() const { return historyView_; }
    RunHistory* history() const { return history_; }
    QPlainTextEdit* logView() const { return log_; }

    int lossPointCount() const;
    int valPointCount() const;
    /// "ETA 3 min 12 s" once the rate is known, "ETA -" before.
    QString etaText() const;
    /// "2.4 it/s, 4.8 samples/s".
    QString throughputText() const;
    /// "RSS 812 MB" (resident memory of this process).
    QString memoryText() const;
    /// The preparing stage ("caching 12/16") or the state.
    QString stageText() const;
    /// The last error shown inline; empty when none.
    QString errorText() const;

    /// "ETA 3 min 12 s" / "ETA 45 s" / "ETA 1 h 5 min" of a duration.
    static QString formatEta(double seconds);
    /// Resident memory of this process in bytes (/proc/self/statm); 0 if unknown.
    static qint64 residentBytes();

public Q_SLOTS:
    /// What Start does: validate the experiment, create a run folder, start.
    /// False (error shown) when invalid or a run is active.
    bool startRun();
    /// What "Resume run" does: continue the run in `runDir` (default: the
    /// history's selected run, else the last run) from its checkpoint.pt
    /// with the experiment.json saved there.
    bool resumeRun(const QString& runDir = {});
    void pauseRun();
    void resumeRunning();
    void cancelRun();
    /// Re-read the history folder.
    void refreshHistory();
    /// Export the plot; false (error shown) when the file cannot be written.
    bool exportPng(const QString& path);
    bool exportCsv(const QString& path);

Q_SIGNALS:
    /// A run started (also a resumed one) in `runDir`.
    void runStarted(const QString& runDir);
    /// The run in `runDir` ended (Completed, Cancelled or Failed).
    void runFinished(const QString& runDir, medulla::JobState state);

private:
    void buildUi();
    void onStateChanged(medulla::JobState state);
    void onPreparing(double fraction, const QString& what);
    void onIterations(const QVector<medulla::IterationEvent>& events);
    void onEpoch(const medulla::EpochEvent& event);
    void onFinished(medulla::JobState state, const QString& error);
    void onMessage(const QString& text);
    void updateButtons();
    void updateMemory();
    void showError(const QString& text);
    void beginSegment();
    double activeSeconds() const;
    QString resumeTarget() const;
    medulla::Json experimentJson() const;

    TrainingController* controller_;
    QPointer<ExperimentDocument> doc_;
    medulla::Json json_;
    bool interactive_ = true;

    QLabel* error_;
    QPushButton *start_, *pause_, *resume_, *cancel_, *resumeRun_;
    QProgressBar *epochBar_, *iterBar_;
    QLabel *stage_, *eta_, *throughput_, *memory_;
    QCheckBox* logScale_;
    QPushButton *fit_, *exportPng_, *exportCsv_;
    CurvePlot* plot_;
    RunHistory* history_;
    QTreeView* historyView_;
    QPlainTextEdit* log_;
    QTimer memoryTimer_;

    medulla::JobState state_ = medulla::JobState::Idle;
    QString runDir_;
    QString historyDir_;
    long long batchSize_ = 1;
    // rate of the current segment (start or resume), pauses excluded
    QElapsedTimer clock_;
    double activeBefore_ = 0; ///< seconds of earlier running stretches
    bool clockRunning_ = false;
    long long firstStep_ = -1;
    double firstStepAt_ = 0;
    double secondsPerIteration_ = 0;
};

} // namespace medulla::ui
