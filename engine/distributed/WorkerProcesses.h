#pragma once
/// Starting and supervising the local worker processes of a multi-process
/// run (POSIX; Linux extras where noted). Each worker is a fresh program
/// (fork + exec, nothing else runs in the child: no LibTorch, no OpenMP, no
/// allocation) in its own process group (signals reach what it starts too;
/// a terminal's Ctrl-C reaches only us), stdin /dev/null, no inherited file
/// descriptors but 0-2 (Linux), default signal handlers, with torchrun's
/// environment:
///   RANK = node_rank * nproc_per_node + local rank, LOCAL_RANK,
///   WORLD_SIZE = nnodes * nproc_per_node, LOCAL_WORLD_SIZE = nproc_per_node,
///   GROUP_RANK = NODE_RANK = node_rank, MASTER_ADDR, MASTER_PORT,
///   plus MEDULLA_THREADS / OMP_NUM_THREADS (see LaunchOptions).
/// Used by `medulla launch` (every local rank) and by the studio (local
/// ranks 1..N-1; rank 0 runs inside the studio's own process).
///
/// Not thread-safe: one thread owns the object and calls its methods.
/// Children are reaped with waitpid on their own pids only, so other child
/// processes of the program (QProcess, ...) are left alone.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/distributed/LaunchOptions.h"

namespace medulla {

/// How a worker ended.
struct WorkerExit {
    int rank = -1;      ///< global rank
    int localRank = -1; ///< rank on this machine
    pid_t pid = -1;
    int exitCode = 0; ///< exit status when it exited, else 0
    int signal = 0;   ///< the signal that killed it, else 0
    /// e.g. "rank 1 (pid 1234) exited with code 3" or
    /// "rank 1 (pid 1234) was killed by signal 9 (Killed)".
    std::string description;
    /// The shell's convention: exitCode, or 128 + signal.
    int status() const { return signal != 0 ? 128 + signal : exitCode; }
    bool failed() const { return status() != 0; }
};

/// Binds 127.0.0.1:0, reads the port the kernel chose and closes the socket.
/// Another process may take it before the store binds it (unlikely, short
/// window). Throws Error when no socket can be bound.
int freeLocalPort();

/// The number of CPUs this process may run on (sched_getaffinity on Linux,
/// else the online CPUs), >= 1.
int usableCores();

class WorkerProcesses {
public:
    /// Starts one process per entry of `localRanks` (each in
    /// [0, nproc_per_node), distinct; empty: all local ranks), running
    /// argv[0] (a path, or a name searched in PATH) with arguments
    /// argv[1..] and the environment above on top of ours.
    /// options.master_port 0 picks freeLocalPort() once for all workers
    /// (see masterPort()).
    /// Throws ConfigError for invalid options or local ranks, IoError naming
    /// the file when a log file cannot be created, and Error naming argv[0]
    /// when it cannot be started (not found, not executable); workers
    /// already started are then stopped and reaped before the throw.
    WorkerProcesses(std::vector<std::string> argv, LaunchOptions options,
                    std::vector<int> localRanks = {});
    /// terminate(): no worker outlives the object, no zombie remains.
    ~WorkerProcesses();

    WorkerProcesses(const WorkerProcesses&) = delete;
    WorkerProcesses& operator=(const WorkerProcesses&) = delete;

    /// Non-blocking: reaps workers that have ended and returns the first one
    /// seen to exit non-zero or by a signal (the same record on every later
    /// call), or nullopt while none has. Workers stopped by terminate() are
    /// never reported as failures.
    std::optional<WorkerExit> poll();

    /// True while any worker has not been reaped yet (as of the last
    /// poll()/wait()/terminate(); call poll() for fresh news).
    bool running() const;

    /// The global ranks started here, in start order.
    std::vector<int> ranks() const;
    /// The process id of a global rank started here; throws Error otherwise.
    pid_t pid(int rank) const;
    /// How a global rank ended (status(): exit code or 128 + signal), or
    /// nullopt while it runs. Throws Error for a rank not started here.
    std::optional<WorkerExit> exitOf(int rank) const;
    /// The port the workers were given (options.master_port, or the picked one).
    int masterPort() const { return options_.master_port(); }
    const LaunchOptions& options() const { return options_; }

    /// Blocks until every worker has ended, checking every poll_s seconds.
    /// On the first failure stops the others (terminate()) and returns that
    /// worker's status() (exit code, 128 + signal). When `cancel` is
    /// triggered, stops all and returns 130. Otherwise returns 0.
    int wait(const CancelToken* cancel = nullptr, double poll_s = 0.05);

    /// Sends `sig` to the process group of every worker still running
    /// (non-blocking, no reaping). The workers count as stopped by us from
    /// then on (not reported as failures) when sig is SIGTERM or SIGKILL.
    void signalAll(int sig);

    /// Stops every worker still running: SIGTERM to its process group, SIGKILL
    /// to those still alive grace_s later; returns once all are reaped.
    void terminate() noexcept;

private:
    struct Worker {
        int rank = 0, localRank = 0;
        pid_t pid = -1;
        bool reaped = false;
        bool stopped = false; ///< signalled by us: its end is no failure
        WorkerExit exit;
    };

    /// Reaps `w` if it ended (blocking: wait until it does). True once reaped.
    bool reap(Worker& w, bool block);
    void start(const std::string& program, const std::vector<std::string>& env, Worker& w);

    std::vector<std::string> argv_;
    LaunchOptions options_;
    std::vector<Worker> workers_;
    std::optional<WorkerExit> firstFailure_;
};

} // namespace medulla
