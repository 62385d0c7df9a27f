#pragma once
/// The bridge between a TrainingJob (engine, worker thread) and Qt: engine
/// events arrive on the worker thread, are queued, and come out as Qt
/// signals on the GUI thread. Iteration events are batched and flushed at
/// ~15 Hz so a fast loop never floods the event queue.

#include <QObject>
#include <QTimer>
#include <QVector>

#include <memory>
#include <mutex>

#include "engine/training/TrainingJob.h"

namespace medulla::ui {

class TrainingController : public QObject {
    Q_OBJECT
public:
    explicit TrainingController(QObject* parent = nullptr);
    ~TrainingController() override;

    /// Start a run; false (and a message signal) if one is active.
    bool start(const ExperimentConfig& config);
    /// Continue a run from `checkpoint` (a checkpoint.pt the engine wrote,
    /// e.g. of a cancelled run; TrainingJob::resumeFrom): the run goes on
    /// from the saved epoch/iteration up to config's max_epochs. Same
    /// return and signals as start().
    bool resumeFrom(const ExperimentConfig& config, const QString& checkpoint);
    /// Request cancellation; the run stops within one iteration.
    void cancel();
    /// Pause between iterations (Running -> Paused; ignored otherwise).
    void pause();
    /// Continue a paused run (Paused -> Running; ignored otherwise).
    void resume();
    bool isRunning() const;
    JobState state() const { return state_; }
    /// The output folder of the current (or last) run; empty before any.
    QString outputDir() const { return outputDir_; }

Q_SIGNALS:
    void stateChanged(medulla::JobState state);
    void message(const QString& text);
    void preparing(double fraction, const QString& what);
    /// Batched iteration events, oldest first.
    void iterations(const QVector<medulla::IterationEvent>& events);
    void epochFinished(const medulla::EpochEvent& event);
    void predictionReady(const medulla::PredictionEvent& event);
    /// The run ended; error is empty unless state is Failed.
    void finished(medulla::JobState state, const QString& error);

private:
    class Relay;
    void flushIterations();
    bool launch(const ExperimentConfig& config, const std::string& checkpoint);

    std::unique_ptr<Relay> relay_;
    std::unique_ptr<TrainingJob> job_;
    QTimer flushTimer_;
    std::mutex pendingMutex_;
    QVector<IterationEvent> pending_;
    JobState state_ = JobState::Idle;
    QString outputDir_;
    quint64 generation_ = 0; ///< of the current run; GUI thread only
};

} // namespace medulla::ui

Q_DECLARE_METATYPE(medulla::JobState)
Q_DECLARE_METATYPE(medulla::IterationEvent)
Q_DECLARE_METATYPE(medulla::EpochEvent)
Q_DECLARE_METATYPE(medulla::PredictionEvent)
