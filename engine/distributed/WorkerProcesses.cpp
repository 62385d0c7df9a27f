#include "engine/distributed/WorkerProcesses.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

extern char** environ;

namespace medulla {
namespace {

std::string errnoText(int e) {
    return std::strerror(e);
}

/// The file execve() will run for `name`: `name` itself when it holds a
/// '/', else the first executable regular file `dir/name` along PATH.
/// Throws Error naming `name` when there is none.
std::string resolveProgram(const std::string& name) {
    const auto executable = [](const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
               ::access(path.c_str(), X_OK) == 0;
    };
    if (name.empty())
        throw Error("cannot start workers: the worker command is empty");
    if (name.find('/') != std::string::npos) {
        struct stat st {};
        if (::stat(name.c_str(), &st) != 0)
            throw Error("cannot start workers: " + errnoText(errno), name);
        if (!executable(name))
            throw Error("cannot start workers: not an executable file", name);
        return name;
    }
    const char* path = std::getenv("PATH");
    const std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
    size_t begin = 0;
    while (begin <= dirs.size()) {
        size_t end = dirs.find(':', begin);
        if (end == std::string::npos)
            end = dirs.size();
        const std::string dir = end > begin ? dirs.substr(begin, end - begin) : ".";
        const std::string candidate = dir + "/" + name;
        if (executable(candidate))
            return candidate;
        begin = end + 1;
    }
    throw Error("cannot start workers: no such program in PATH", name);
}

/// Our environment with `vars` ("KEY=value") set on top.
std::vector<std::string> environmentWith(const std::vector<std::string>& vars) {
    std::vector<std::string> out;
    const auto keyOf = [](const std::string& kv) { return kv.substr(0, kv.find('=')); };
    std::set<std::string> replaced;
    for (const auto& v : vars)
        replaced.insert(keyOf(v));
    for (char** e = environ; e && *e; ++e) {
        const std::string kv = *e;
        if (!replaced.count(keyOf(kv)))
            out.push_back(kv);
    }
    out.insert(out.end(), vars.begin(), vars.end());
    return out;
}

std::vector<char*> cStrings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

#if defined(__linux__) && defined(SYS_close_range)
/// Closes every descriptor >= 3 but `keep` (async-signal-safe).
void closeInheritedFds(int keep) {
    if (keep > 3)
        ::syscall(SYS_close_range, 3u, unsigned(keep - 1), 0u);
    ::syscall(SYS_close_range, unsigned(std::max(keep + 1, 3)), ~0u, 0u);
}
#else
void closeInheritedFds(int) {}
#endif

WorkerExit exitFrom(int rank, int localRank, pid_t pid, int status) {
    WorkerExit x;
    x.rank = rank;
    x.localRank = localRank;
    x.pid = pid;
    const std::string who = "rank " + std::to_string(rank) + " (pid " + std::to_string(pid) + ")";
    if (WIFSIGNALED(status)) {
        x.signal = WTERMSIG(status);
        const char* name = ::strsignal(x.signal);
        x.description = who + " was killed by signal " + std::to_string(x.signal) + " (" +
                        (name ? name : "unknown") + ")";
    } else {
        x.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
        x.description = who + " exited with code " + std::to_string(x.exitCode);
    }
    return x;
}

} // namespace

int freeLocalPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw Error("cannot pick a free port: socket(): " + errnoText(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        const int e = errno;
        ::close(fd);
        throw Error("cannot pick a free port on 127.0.0.1: " + errnoText(e));
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

int usableCores() {
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
#endif
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? int(n) : 1;
}

WorkerProcesses::WorkerProcesses(std::vector<std::string> argv, LaunchOptions options,
                                 std::vector<int> localRanks)
    : argv_(std::move(argv)), options_(std::move(options)) {
    validateLaunchOptions(options_);
    if (argv_.empty())
        throw ConfigError("no worker command given", {}, "command");
    const int nproc = options_.nproc_per_node();
    if (localRanks.empty())
        for (int r = 0; r < nproc; ++r)
            localRanks.push_back(r);
    std::set<int> seen;
    for (int r : localRanks)
        if (r < 0 || r >= nproc || !seen.insert(r).second)
            throw ConfigError("local rank " + std::to_string(r) +
                                  " is out of [0, --nproc-per-node) or given twice",
                              {}, "localRanks");
    const std::string program = resolveProgram(argv_[0]);
    if (options_.master_port() == 0)
        options_.master_port(freeLocalPort());
    if (!options_.log_dir().empty()) {
        std::error_code ec;
        std::filesystem::create_directories(options_.log_dir(), ec);
        if (ec)
            throw IoError("cannot create the worker log folder: " + ec.message(),
                          options_.log_dir());
    }

    const int world = options_.nnodes() * nproc;
    const int defaultThreads = std::max(1, usableCores() / nproc);
    std::vector<std::string> common = {
        "WORLD_SIZE=" + std::to_string(world),
        "LOCAL_WORLD_SIZE=" + std::to_string(nproc),
        "GROUP_RANK=" + std::to_string(options_.node_rank()),
        "NODE_RANK=" + std::to_string(options_.node_rank()),
        "MASTER_ADDR=" + options_.master_addr(),
        "MASTER_PORT=" + std::to_string(options_.master_port()),
    };
    for (const char* var : {"MEDULLA_THREADS", "OMP_NUM_THREADS"}) {
        if (options_.threads_per_worker() > 0)
            common.push_back(std::string(var) + "=" +
                             std::to_string(options_.threads_per_worker()));
        else if (!std::getenv(var))
            common.push_back(std::string(var) + "=" + std::to_string(defaultThreads));
    }

    try {
        for (int local : localRanks) {
            Worker w;
            w.localRank = local;
            w.rank = options_.node_rank() * nproc + local;
            auto vars = common;
            vars.push_back("RANK=" + std::to_string(w.rank));
            vars.push_back("LOCAL_RANK=" + std::to_string(local));
            start(program, environmentWith(vars), w);
            workers_.push_back(w);
        }
    } catch (...) {
        terminate();
        throw;
    }
}

WorkerProcesses::~WorkerProcesses() {
    terminate();
}

void WorkerProcesses::start(const std::string& program, const std::vector<std::string>& env,
                            Worker& w) {
    // Everything the child needs is prepared here: between fork and exec it
    // only makes system calls (no allocation, no locks, no LibTorch).
    std::vector<std::string> args = argv_, envStrings = env;
    std::vector<char*> argp = cStrings(args), envp = cStrings(envStrings);
    int logFd = -1;
    if (!options_.log_dir().empty()) {
        const std::string file =
            (std::filesystem::path(options_.log_dir()) / ("rank" + std::to_string(w.rank) + ".log"))
                .string();
        logFd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (logFd < 0)
            throw IoError("cannot create the worker log: " + errnoText(errno), file);
    }
    // stdin: /dev/null. A worker is in a background process group of our
    // terminal, where reading the terminal would stop it (SIGTTIN).
    const int nullFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    int errPipe[2];
    if (::pipe2(errPipe, O_CLOEXEC) != 0) {
        const int e = errno;
        if (logFd >= 0)
            ::close(logFd);
        if (nullFd >= 0)
            ::close(nullFd);
        throw Error("cannot start workers: pipe(): " + errnoText(e), argv_[0]);
    }
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigset_t all, none, old;
    sigfillset(&all);
    sigemptyset(&none);
    const bool dieWithParent = options_.die_with_parent();
    const pid_t parent = ::getpid();
    // Block signals over fork so that no handler of ours runs in the child
    // before it has reset them to their defaults.
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    const pid_t pid = ::fork();
    if (pid == 0) {
        for (int sig = 1; sig < NSIG; ++sig)
            ::sigaction(sig, &dfl, nullptr); // fails harmlessly for SIGKILL, SIGSTOP, ...
        ::setpgid(0, 0);
#ifdef __linux__
        if (dieWithParent) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent)
                ::_exit(127);
        }
#else
        (void)dieWithParent;
        (void)parent;
#endif
        if (nullFd >= 0)
            ::dup2(nullFd, STDIN_FILENO);
        if (logFd >= 0) {
            ::dup2(logFd, STDOUT_FILENO);
            ::dup2(logFd, STDERR_FILENO);
        }
        closeInheritedFds(errPipe[1]);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execve(program.c_str(), argp.data(), envp.data());
        const int e = errno;
        [[maybe_unused]] const ssize_t n = ::write(errPipe[1], &e, sizeof e);
        ::_exit(127);
    }
    const int forkErrno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    ::close(errPipe[1]);
    if (logFd >= 0)
        ::close(logFd);
    if (nullFd >= 0)
        ::close(nullFd);
    if (pid < 0) {
        ::close(errPipe[0]);
        throw Error("cannot start workers: fork(): " + errnoText(forkErrno), argv_[0]);
    }
    ::setpgid(pid, pid); // also here: no race with a signal to the group
    int execErrno = 0;
    ssize_t n;
    do
        n = ::read(errPipe[0], &execErrno, sizeof execErrno);
    while (n < 0 && errno == EINTR);
    ::close(errPipe[0]);
    if (n == ssize_t(sizeof execErrno)) { // exec failed: the child has exited with 127
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        throw Error("cannot start workers: " + errnoText(execErrno), argv_[0]);
    }
    w.pid = pid;
}

bool WorkerProcesses::reap(Worker& w, bool block) {
    if (w.reaped)
        return true;
    int status = 0;
    pid_t r;
    do
        r = ::waitpid(w.pid, &status, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return false;
    if (r < 0) { // ECHILD: reaped behind our back (SIGCHLD ignored); status unknown
        w.exit = exitFrom(w.rank, w.localRank, w.pid, 0);
        w.exit.description = "rank " + std::to_string(w.rank) + " (pid " + std::to_string(w.pid) +
                             ") ended, its status is unknown";
    } else {
        w.exit = exitFrom(w.rank, w.localRank, w.pid, status);
    }
    w.reaped = true;
    return true;
}

std::optional<WorkerExit> WorkerProcesses::poll() {
    for (auto& w : workers_) {
        if (w.reaped)
            continue;
        // Look before reaping: while the worker is a zombie its pid (and
        // process group id) cannot be reused, so killing what it left in
        // its group cannot hit a stranger.
        siginfo_t info{};
        if (::waitid(P_PID, id_t(w.pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
            if (errno == ECHILD)
                reap(w, false); // gone already: recorded with an unknown status
            continue;
        }
        if (info.si_pid == 0)
            continue;
        const bool failed = info.si_code != CLD_EXITED || info.si_status != 0;
        if (failed)
            ::kill(-w.pid, SIGKILL); // what the failed worker started
        reap(w, true);
        if (failed && !w.stopped && !firstFailure_)
            firstFailure_ = w.exit;
    }
    return firstFailure_;
}

bool WorkerProcesses::running() const {
    return std::any_of(workers_.begin(), workers_.end(), [](const Worker& w) { return !w.reaped; });
}

std::vector<int> WorkerProcesses::ranks() const {
    std::vector<int> out;
    for (const auto& w : workers_)
        out.push_back(w.rank);
    return out;
}

pid_t WorkerProcesses::pid(int rank) const {
    for (const auto& w : workers_)
        if (w.rank == rank)
            return w.pid;
    throw Error("rank " + std::to_string(rank) + " is not a worker started here");
}

std::optional<WorkerExit> WorkerProcesses::exitOf(int rank) const {
    for (const auto& w : workers_)
        if (w.rank == rank)
            return w.reaped ? std::optional<WorkerExit>(w.exit) : std::nullopt;
    throw Error("rank " + std::to_string(rank) + " is not a worker started here");
}

int WorkerProcesses::wait(const CancelToken* cancel, double poll_s) {
    const auto pause = std::chrono::duration<double>(std::max(poll_s, 0.001));
    for (;;) {
        if (const auto failure = poll()) {
            terminate();
            return failure->status();
        }
        if (!running())
            return 0;
        if (cancel && cancel->isCancelled()) {
            terminate();
            return 130;
        }
        std::this_thread::sleep_for(pause);
    }
}

void WorkerProcesses::signalAll(int sig) {
    for (auto& w : workers_) {
        if (w.reaped)
            continue;
        if (sig == SIGTERM || sig == SIGKILL)
            w.stopped = true;
        if (::kill(-w.pid, sig) != 0 && errno == ESRCH)
            ::kill(w.pid, sig); // not a group leader after all
    }
}

void WorkerProcesses::terminate() noexcept {
    if (!running())
        return;
    signalAll(SIGTERM);
    // Wait (without reaping) until every worker has exited or grace_s has
    // passed, then SIGKILL whatever remains in their process groups.
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration<double>(std::max(0.0, options_.grace_s()));
    for (;;) {
        bool allEnded = true;
        for (const auto& w : workers_) {
            if (w.reaped)
                continue;
            siginfo_t info{};
            if (::waitid(P_PID, id_t(w.pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                info.si_pid == 0)
                allEnded = false;
        }
        if (allEnded || std::chrono::steady_clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    signalAll(SIGKILL);
    for (auto& w : workers_)
        reap(w, true);
}

} // namespace medulla
