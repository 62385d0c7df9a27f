#pragma once
/// The Train panel: which experiment, Start/Cancel, a progress bar, a status
/// line and live curves (iteration loss, epoch loss, validation mean Dice).

#include <QWidget>

#include "engine/training/TrainingEvents.h"

class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;

namespace medulla::ui {

class TrainPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainPanel(QWidget* parent = nullptr);

    void setExperimentName(const QString& name);
    QPushButton* startButton() const { return start_; }
    QPushButton* cancelButton() const { return cancel_; }
    QProgressBar* progressBar() const { return progress_; }
    QCustomPlot* plot() const { return plot_; }
    /// Number of points on the (iteration loss, epoch Dice) curves.
    int lossPointCount() const;
    int dicePointCount() const;

public Q_SLOTS:
    void clearCurves();
    void onStateChanged(medulla::JobState state);
    void onPreparing(double fraction, const QString& what);
    void onIterations(const QVector<medulla::IterationEvent>& events);
    void onEpoch(const medulla::EpochEvent& event);
    void onFinished(medulla::JobState state, const QString& error);
    void onMessage(const QString& text);

Q_SIGNALS:
    void startRequested();
    void cancelRequested();

private:
    QLabel* experiment_;
    QLabel* status_;
    QPushButton* start_;
    QPushButton* cancel_;
    QProgressBar* progress_;
    QCustomPlot* plot_;
};

} // namespace medulla::ui
