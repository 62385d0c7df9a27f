#pragma once
/// The bridge between a TrainingJob (engine, worker thread) and Qt: engine
/// events arrive on the worker thread, are queued, and come out as Qt
/// signals on the GUI thread. Iteration events are batched and flushed at
/// ~15 Hz so a fast loop never floods the event queue.
///
/// Multi-process runs (issue 10): when the experiment's "distributed"
/// section asks for nproc_per_node N > 1, rank 0 is this process's
/// TrainingJob (its events, pause and cancel work as for one process; the
/// engine holds and stops the other ranks with it) and ranks 1..N-1 are
/// `medulla train` child processes (LocalWorkers, engine/services), started
/// on the GUI thread, logging to <run>/workers/rank<R>.log. A 200 ms timer
/// watches them: one that exits non-zero while the run is active is named
/// in a message (with the end of its log) and the run is cancelled; the run
/// then finishes as Failed with that message. After the run ends the
/// workers get a grace period to exit on their own, then SIGTERM, then
/// SIGKILL 3 s later; the destructor stops and reaps them (no zombies).
/// N = 1 is exactly the single-process path.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <QVector>

#include <memory>
#include <mutex>

#include "engine/training/TrainingJob.h"

namespace medulla {
class LocalWorkers;
}

namespace medulla::ui {

class TrainingController : public QObject {
    Q_OBJECT
public:
    explicit TrainingController(QObject* parent = nullptr);
    ~TrainingController() override;

    /// Start a run; false (and a message signal) if one is active, or
    /// (lastError()) when the worker processes of a multi-process run
    /// cannot be started.
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
    /// Why the last start()/resumeFrom() returned false; empty after a start.
    QString lastError() const { return lastError_; }

    /// The `medulla` program that runs ranks 1..N-1: setCliProgram()'s path,
    /// else $MEDULLA_CLI, else <application dir>/medulla.
    QString cliProgram() const;
    /// Override the program (tests, packaging); empty: the default above.
    void setCliProgram(const QString& path) { cliProgram_ = path; }
    /// Seconds the workers of an ended run get to exit on their own before
    /// they are stopped (default 10).
    void setWorkerGrace(double seconds) { workerGrace_ = seconds; }
    /// The processes of the current (or last) run: 1, or N of a
    /// multi-process run.
    int processes() const { return processes_; }
    /// Whether a worker process of the current (or last) run is alive.
    bool workersRunning() const;
    /// <run>/workers of the current (or last) multi-process run; empty
    /// otherwise.
    QString workerLogDir() const;
    /// How worker `rank` of the current (or last) multi-process run ended:
    /// its exit code (128 + signal when killed); -1 while it runs or when
    /// there is no such worker.
    int workerExitStatus(int rank) const;
    /// The message of a worker that failed during the current (or last)
    /// run; empty when none did.
    QString workerFailure() const { return workerError_; }

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
    /// A worker process failed while the run was active (the run is being
    /// cancelled; finished(Failed, ...) follows).
    void workerFailed(const QString& error);
    /// Every worker process of a multi-process run has ended and been
    /// reaped (after finished(), or before it when they all died).
    void workersEnded();

private:
    class Relay;
    void flushIterations();
    bool launch(const ExperimentConfig& config, const std::string& checkpoint);
    /// Starts ranks 1..N-1 for `config` when it asks for N > 1 processes and
    /// makes job_ rank 0; false (lastError_) when they cannot be started.
    bool startWorkers(const ExperimentConfig& config, const std::string& checkpoint);
    /// The timer's tick: failures while the run is active, the grace period
    /// and the stopping of workers after it ended.
    void watchWorkers();
    void checkWorkers();
    /// The job reported its end (GUI thread): state and error as shown.
    void finishRun(JobState state, QString error);
    /// "rank 1 (pid 12) exited with code 3; the end of <log>: ..."
    QString describeFailure(int rank, const std::string& description) const;

    std::unique_ptr<Relay> relay_;
    std::unique_ptr<TrainingJob> job_;
    QTimer flushTimer_;
    std::mutex pendingMutex_;
    QVector<IterationEvent> pending_;
    JobState state_ = JobState::Idle;
    QString outputDir_;
    QString lastError_;
    quint64 generation_ = 0; ///< of the current run; GUI thread only

    // multi-process runs (GUI thread only)
    std::unique_ptr<LocalWorkers> workers_; ///< ranks 1..N-1; null for one process
    QTimer workerTimer_;
    QString cliProgram_;
    double workerGrace_ = 10;
    int processes_ = 1;
    bool cancelRequested_ = false; ///< by the user: worker exits are no failures then
    bool jobEnded_ = false;
    int stopStage_ = 0; ///< after the grace: 1 SIGTERM sent, 2 SIGKILL sent
    bool workersEndReported_ = false;
    QElapsedTimer sinceEnd_;
    QString workerError_;
};

} // namespace medulla::ui

Q_DECLARE_METATYPE(medulla::JobState)
Q_DECLARE_METATYPE(medulla::IterationEvent)
Q_DECLARE_METATYPE(medulla::EpochEvent)
Q_DECLARE_METATYPE(medulla::PredictionEvent)
