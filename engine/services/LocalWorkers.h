#pragma once
/// The worker processes of a multi-process run started by a front end (the
/// studio) whose own process is rank 0: ranks 1..N-1 each run
///   <cli> train <run>/experiment-launch.json --output-dir <run>
///         [--resume <checkpoint>]
/// with torchrun's environment (RANK, WORLD_SIZE, MASTER_ADDR=127.0.0.1,
/// MASTER_PORT, ...; engine/distributed/WorkerProcesses.h), in the current
/// directory (relative paths of the experiment resolve as for rank 0), each
/// writing stdout and stderr to <run>/workers/rank<R>.log. Rank 0 is the
/// caller's TrainingJob, made one process of the run with
/// setDistributed(rank0Env()).
///
/// Qt-free and LibTorch-free header: the ui layer includes it.
/// Not thread-safe: one thread owns the object. Workers get SIGKILL when the
/// thread that constructed the object exits (PR_SET_PDEATHSIG), so construct
/// it on a thread that lives as long as they do (the GUI thread).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/distributed/DistributedEnv.h"
#include "engine/training/Experiment.h"

namespace medulla {

/// How one worker ended.
struct LocalWorkerExit {
    int rank = -1;
    /// The exit code, or 128 + the signal that killed it.
    int status = 0;
    /// "rank 1 (pid 1234) exited with code 3", "... was killed by signal 9 (Killed)".
    std::string description;
};

class LocalWorkers {
public:
    /// The processes `config` asks for: its "distributed".nproc_per_node,
    /// 1 when the section is absent. Throws ConfigError naming
    /// "distributed.<field>" for an invalid section.
    static int processesOf(const ExperimentConfig& config);

    /// Starts ranks 1..nproc-1 of a run of `nproc` (>= 2) processes on this
    /// machine. config.outputDir is the run folder (created if missing); it
    /// gets experiment-launch.json (config.toJson(), what the workers run)
    /// and workers/. `cli`: the `medulla` program (a path). A non-empty
    /// `resumeCheckpoint` is passed to every worker as --resume. The port
    /// of rank 0's store is a free local one (rank0Env().masterPort).
    /// Throws ConfigError (field "distributed.nproc_per_node") for nproc < 2,
    /// IoError naming `cli` when it is not an executable file, IoError
    /// naming the file when the run folder cannot be written, Error when a
    /// worker cannot be started; no worker is left running after a throw.
    LocalWorkers(const std::string& cli, const ExperimentConfig& config, int nproc,
                 const std::string& resumeCheckpoint = {});
    /// Stops the workers still running (SIGTERM, SIGKILL 3 s later) and
    /// reaps them all: no process, no zombie outlives the object. Blocks
    /// for up to those 3 s.
    ~LocalWorkers();

    LocalWorkers(const LocalWorkers&) = delete;
    LocalWorkers& operator=(const LocalWorkers&) = delete;

    /// What the caller's rank 0 passes to TrainingJob::setDistributed:
    /// rank 0 of nproc, local rank 0, 127.0.0.1 and the workers' port.
    DistributedEnv rank0Env() const;
    int processes() const;
    /// The global ranks of the workers (1..nproc-1).
    std::vector<int> ranks() const;
    /// <run>/workers
    std::string logDir() const;
    /// <run>/workers/rank<R>.log
    std::string logFile(int rank) const;
    /// <run>/experiment-launch.json
    std::string experimentFile() const;
    /// The command line of a worker, for logs ("/usr/bin/medulla train ...").
    std::string commandLine() const;

    /// Non-blocking: reaps the workers that have ended; returns the first
    /// one seen to exit non-zero or by a signal (the same on later calls),
    /// nullopt while none has. Workers ended by stop()/kill() do not count.
    std::optional<LocalWorkerExit> poll();
    /// True while a worker has not been reaped (as of the last poll()).
    bool running() const;
    /// How `rank` ended, nullopt while it runs (as of the last poll()).
    /// Throws Error for a rank that is not a worker here.
    std::optional<LocalWorkerExit> exitOf(int rank) const;
    /// Non-blocking SIGTERM to the workers still running (each stops after
    /// its current step; a worker waiting on its peers may not).
    void stop();
    /// Non-blocking SIGKILL to the workers still running.
    void kill();

    /// The last `lines` lines of a text file (without a trailing newline);
    /// empty when it cannot be read. Reads at most the last 64 KiB.
    static std::string tail(const std::string& file, int lines) noexcept;

private:
    static std::string tailOf(const std::string& file, int lines);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace medulla
