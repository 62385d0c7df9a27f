#pragma once
/// `medulla launch [flags] -- COMMAND...`: start this machine's workers of a
/// multi-process run, like torchrun (same flags, also with underscores:
/// --nproc_per_node, --node_rank, --master_addr, --master_port).
///
///   medulla launch --nproc-per-node N [--nnodes M --node-rank R
///                  --master-addr A --master-port P] [--log-dir DIR]
///                  [--grace S] [--threads-per-worker T] -- train experiment.json
///
/// COMMAND is a `medulla` subcommand line (run by this same program) or,
/// when its first word holds a '/', a program path. The exit status is the
/// first failed worker's (128 + signal when killed), 130 when interrupted.

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace medulla::cli {

struct LaunchArgs {
    int nprocPerNode = 1;
    int nnodes = 1;
    int nodeRank = 0;
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;
    std::string logDir;
    double grace = 5;
    int threadsPerWorker = 0;
    std::vector<std::string> command; ///< everything after `--`
};

/// Registers the "launch" subcommand, filling `args`.
CLI::App* addLaunchCommand(CLI::App& app, LaunchArgs& args);

/// Runs the workers (medulla::launch, messages on stderr) and returns the
/// exit status. Throws medulla::Error naming the flag or the program.
int runLaunch(const LaunchArgs& args);

} // namespace medulla::cli
