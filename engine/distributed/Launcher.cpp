#include "engine/distributed/Launcher.h"

#include <unistd.h>

#include <atomic>
#include <climits>
#include <csignal>
#include <ostream>

#include "engine/core/CancelToken.h"
#include "engine/distributed/WorkerProcesses.h"

namespace medulla {
namespace {

// State shared with the signal handler: only lock-free atomics.
constexpr int kMaxPids = 4096;
CancelToken g_cancel;
std::atomic<int> g_signals{0};
std::atomic<int> g_pidCount{0};
std::atomic<pid_t> g_pids[kMaxPids];
std::atomic<bool> g_busy{false};

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free &&
                  std::atomic<pid_t>::is_always_lock_free,
              "the signal handler needs lock-free atomics");

/// First signal: cancel (wait() then sends SIGTERM, SIGKILL after grace_s);
/// from the second on: SIGKILL every worker's process group at once.
extern "C" void onLaunchSignal(int) {
    const int n = g_signals.fetch_add(1) + 1;
    g_cancel.cancel();
    if (n >= 2) {
        const int count = g_pidCount.load();
        for (int i = 0; i < count; ++i)
            ::kill(-g_pids[i].load(), SIGKILL);
    }
}

/// Installs onLaunchSignal for SIGINT and SIGTERM; restores the previous
/// handlers and clears the shared state on destruction.
class SignalScope {
public:
    SignalScope() {
        if (g_busy.exchange(true))
            throw Error("launch() is already running in this process");
        g_cancel.reset();
        g_signals = 0;
        g_pidCount = 0;
        struct sigaction sa {};
        sa.sa_handler = onLaunchSignal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        ::sigaction(SIGINT, &sa, &oldInt_);
        ::sigaction(SIGTERM, &sa, &oldTerm_);
    }
    ~SignalScope() {
        g_pidCount = 0;
        ::sigaction(SIGINT, &oldInt_, nullptr);
        ::sigaction(SIGTERM, &oldTerm_, nullptr);
        g_busy = false;
    }
    SignalScope(const SignalScope&) = delete;
    SignalScope& operator=(const SignalScope&) = delete;

private:
    struct sigaction oldInt_ {};
    struct sigaction oldTerm_ {};
};

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

} // namespace

std::vector<std::string> workerCommand(const std::vector<std::string>& command) {
    if (command.empty() || command[0].empty())
        throw ConfigError("no worker command: put it after `--`, e.g. "
                          "`medulla launch --nproc-per-node 2 -- train experiment.json`",
                          {}, "command");
    if (command[0].find('/') != std::string::npos)
        return command;
    char self[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        throw Error("cannot find this program's path to start the workers", "/proc/self/exe");
    std::vector<std::string> argv{std::string(self, size_t(n))};
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
}

int launch(const std::vector<std::string>& command, const LaunchOptions& options,
           std::ostream& log) {
    validateLaunchOptions(options);
    const std::vector<std::string> argv = workerCommand(command);
    SignalScope signals;
    WorkerProcesses workers(argv, options);
    const auto ranks = workers.ranks();
    for (size_t i = 0; i < ranks.size() && i < size_t(kMaxPids); ++i)
        g_pids[i] = workers.pid(ranks[i]);
    g_pidCount = int(std::min(ranks.size(), size_t(kMaxPids)));

    const int world = options.nnodes() * options.nproc_per_node();
    log << "medulla launch: " << ranks.size() << " worker(s), ranks " << ranks.front() << ".."
        << ranks.back() << " of " << world << ", master " << options.master_addr() << ":"
        << workers.masterPort() << ": " << joined(argv);
    if (!options.log_dir().empty())
        log << " (logs in " << options.log_dir() << "/rank<R>.log)";
    log << std::endl;

    const int status = workers.wait(&g_cancel);
    if (const auto failure = workers.poll()) {
        log << "medulla launch: " << failure->description << "; stopped the other workers";
        if (!options.log_dir().empty())
            log << " (its output: " << options.log_dir() << "/rank" << failure->rank << ".log)";
        log << std::endl;
        return failure->status();
    }
    if (status == 130)
        log << "medulla launch: interrupted; stopped all workers" << std::endl;
    return status;
}

} // namespace medulla
