#include "engine/services/LocalWorkers.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/distributed/DistributedOptions.h"
#include "engine/distributed/WorkerProcesses.h"

namespace fs = std::filesystem;

namespace medulla {

struct LocalWorkers::Impl {
    int nproc = 1;
    std::string runDir, logDir, experimentFile;
    std::vector<std::string> argv;
    std::unique_ptr<WorkerProcesses> processes;

    static LocalWorkerExit convert(const WorkerExit& e) {
        return LocalWorkerExit{e.rank, e.status(), e.description};
    }
};

int LocalWorkers::processesOf(const ExperimentConfig& config) {
    return int(DistributedOptions::fromJson(config.distributed, "distributed").nproc_per_node());
}

LocalWorkers::LocalWorkers(const std::string& cli, const ExperimentConfig& config, int nproc,
                           const std::string& resumeCheckpoint)
    : impl_(std::make_unique<Impl>()) {
    if (nproc < 2)
        throw ConfigError("a run with worker processes needs >= 2 processes, got " +
                              std::to_string(nproc),
                          {}, "distributed.nproc_per_node");
    std::error_code ec;
    if (cli.empty() || !fs::is_regular_file(cli, ec) || ::access(cli.c_str(), X_OK) != 0)
        throw IoError("the medulla command-line program, which runs the worker processes of a "
                      "multi-process run, is missing or not executable",
                      cli.empty() ? std::string("medulla") : cli);
    Impl& d = *impl_;
    d.nproc = nproc;
    d.runDir = config.outputDir;
    d.logDir = (fs::path(d.runDir) / "workers").string();
    d.experimentFile = (fs::path(d.runDir) / "experiment-launch.json").string();
    fs::create_directories(d.runDir, ec);
    if (ec)
        throw IoError("cannot create the run folder: " + ec.message(), d.runDir);
    // Rank 0 writes experiment.json itself while it starts; the workers read
    // a file of their own so that nobody reads a file being replaced.
    writeTextAtomically(d.experimentFile, config.toJson().dump(2) + "\n");

    d.argv = {cli, "train", d.experimentFile, "--output-dir", d.runDir};
    if (!resumeCheckpoint.empty()) {
        d.argv.push_back("--resume");
        d.argv.push_back(resumeCheckpoint);
    }
    std::vector<int> local;
    for (int r = 1; r < nproc; ++r)
        local.push_back(r);
    d.processes = std::make_unique<WorkerProcesses>(d.argv,
                                                    LaunchOptions()
                                                        .nproc_per_node(nproc)
                                                        .master_addr("127.0.0.1")
                                                        .master_port(freeLocalPort())
                                                        .grace_s(3)
                                                        .log_dir(d.logDir)
                                                        .die_with_parent(true),
                                                    local);
}

LocalWorkers::~LocalWorkers() = default; // ~WorkerProcesses: terminate()

DistributedEnv LocalWorkers::rank0Env() const {
    DistributedEnv env;
    env.rank = 0;
    env.worldSize = impl_->nproc;
    env.localRank = 0;
    env.localWorldSize = impl_->nproc;
    env.masterAddr = "127.0.0.1";
    env.masterPort = impl_->processes->masterPort();
    return env;
}

int LocalWorkers::processes() const {
    return impl_->nproc;
}

std::vector<int> LocalWorkers::ranks() const {
    return impl_->processes->ranks();
}

std::string LocalWorkers::logDir() const {
    return impl_->logDir;
}

std::string LocalWorkers::logFile(int rank) const {
    return (fs::path(impl_->logDir) / ("rank" + std::to_string(rank) + ".log")).string();
}

std::string LocalWorkers::experimentFile() const {
    return impl_->experimentFile;
}

std::string LocalWorkers::commandLine() const {
    std::string line;
    for (const auto& a : impl_->argv)
        line += (line.empty() ? "" : " ") + a;
    return line;
}

std::optional<LocalWorkerExit> LocalWorkers::poll() {
    const auto failure = impl_->processes->poll();
    if (!failure)
        return std::nullopt;
    return Impl::convert(*failure);
}

bool LocalWorkers::running() const {
    return impl_->processes->running();
}

std::optional<LocalWorkerExit> LocalWorkers::exitOf(int rank) const {
    const auto e = impl_->processes->exitOf(rank);
    if (!e)
        return std::nullopt;
    return Impl::convert(*e);
}

void LocalWorkers::stop() {
    impl_->processes->signalAll(SIGTERM);
}

void LocalWorkers::kill() {
    impl_->processes->signalAll(SIGKILL);
}

std::string LocalWorkers::tail(const std::string& file, int lines) noexcept {
    try {
        return tailOf(file, lines);
    } catch (...) {
        return {};
    }
}

std::string LocalWorkers::tailOf(const std::string& file, int lines) {
    std::ifstream in(file, std::ios::binary);
    if (!in || lines <= 0)
        return {};
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size <= 0)
        return {};
    const std::streamoff from = std::max<std::streamoff>(0, size - 64 * 1024);
    in.seekg(from);
    std::string text(size_t(size - from), '\0');
    in.read(text.data(), std::streamsize(text.size()));
    text.resize(size_t(in.gcount()));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    // start after the lines-th newline from the end (or at the beginning)
    size_t start = text.size();
    int found = 0;
    while (start > 0) {
        const size_t nl = text.rfind('\n', start - 1);
        if (nl == std::string::npos) {
            start = 0;
            break;
        }
        if (++found == lines) {
            start = nl + 1;
            break;
        }
        start = nl;
    }
    return text.substr(start);
}

} // namespace medulla
