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

    /// Start a run; false (and an error signal) if one is active.
    bool start(const ExperimentConfig& config);
    /// Request cancellation; the run stops within one iteration.
    void cancel();
    bool isRunning() const;
    JobState state() const { return state_; }

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

    std::unique_ptr<Relay> relay_;
    std::unique_ptr<TrainingJob> job_;
    QTimer flushTimer_;
    std::mutex pendingMutex_;
    QVector<IterationEvent> pending_;
    JobState state_ = JobState::Idle;
    quint64 generation_ = 0; ///< of the current run; GUI thread only
};

} // namespace medulla::ui

Q_DECLARE_METATYPE(medulla::JobState)
Q_DECLARE_METATYPE(medulla::IterationEvent)
Q_DECLARE_METATYPE(medulla::EpochEvent)
Q_DECLARE_METATYPE(medulla::PredictionEvent)
