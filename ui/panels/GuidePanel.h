#pragma once
/// The studio's guided path through the demo workspace: three steps, each
/// with a button and a badge that turns into a tick when the step is done.
///
///   1 Look at a case     opens the first training case of the Data tab with
///                        its label in the viewer; done when the volume is shown
///   2 Train              switches to the Train tab and starts a run of the
///                        experiment; done when a run completes
///   3 Look at the result switches to Results, evaluates the finished run on
///                        the validation cases and shows the best case's
///                        prediction over its ground truth in the viewer;
///                        done when shown
///
/// It drives the studio only through MainWindow's public API (openImage,
/// trainingMonitor()->startRun, resultsPanel(), openResult) and watches its
/// signals, so a step the user does by hand (Start in the Train tab) counts
/// as well. A button is enabled when its step can run (a dataset with a
/// training case; no active run; a finished run for step 3). GUI thread only.

#include <QString>
#include <QWidget>

#include <array>

#include "engine/training/TrainingEvents.h"

class QLabel;
class QPushButton;

namespace medulla::ui {

class MainWindow;

class GuidePanel : public QWidget {
    Q_OBJECT
public:
    enum Step { LookAtCase = 0, Train = 1, LookAtResult = 2 };
    static constexpr int StepCount = 3;

    /// `window`: the studio the steps act on (not owned; outlives the panel).
    explicit GuidePanel(MainWindow* window, QWidget* parent = nullptr);

    QPushButton* stepButton(Step step) const { return steps_[step].button; }
    /// The badge: the step's number, a tick once done.
    QLabel* badge(Step step) const { return steps_[step].badge; }
    bool isDone(Step step) const { return steps_[step].done; }
    /// What the step did or is doing ("case_000.nii.gz: 64 x 64 x 64 with its
    /// label", "training in run-...", "Dice 0.8123 on case_003", an error).
    QString statusText(Step step) const;
    /// A line above the steps (the workspace, the dataset's state).
    void setHeader(const QString& text);
    QString headerText() const;

public Q_SLOTS:
    void lookAtCase();
    void train();
    void lookAtResult();
    /// Every step back to not done (another workspace was opened).
    void reset();
    /// Enable the buttons whose step can run now.
    void updateButtons();

Q_SIGNALS:
    /// `step` (a Step) has just been done.
    void stepDone(int step);

private:
    struct StepWidgets {
        QLabel* badge = nullptr;
        QLabel* status = nullptr;
        QPushButton* button = nullptr;
        bool done = false;
    };
    void setDone(Step step, const QString& status);
    void setStatus(Step step, const QString& text, bool error = false);
    void paintBadge(Step step);
    void onRunFinished(const QString& runDir, medulla::JobState state);
    void onEvaluationFinished(int cases, bool cancelled, const QString& error);

    MainWindow* window_;
    QLabel* header_;
    std::array<StepWidgets, StepCount> steps_;
    QString pendingCase_;       ///< the image step 1 asked for
    bool caseHasLabel_ = false; ///< step 1's case has a label
    bool awaitingEvaluation_ = false;
    QString pendingPrediction_; ///< the prediction step 3 asked to show
    QString shownCase_;         ///< and its case, with its Dice
    double shownDice_ = 0;
};

} // namespace medulla::ui
