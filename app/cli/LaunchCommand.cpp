#include "app/cli/LaunchCommand.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "engine/distributed/Launcher.h"

namespace medulla::cli {

CLI::App* addLaunchCommand(CLI::App& app, LaunchArgs& args) {
    CLI::App* cmd = app.add_subcommand(
        "launch", "Start the worker processes of a multi-process run on this machine, like "
                  "torchrun: `medulla launch --nproc-per-node 2 -- train experiment.json`");
    cmd->add_option("--nproc-per-node,--nproc_per_node", args.nprocPerNode,
                    "worker processes on this machine (default 1)");
    cmd->add_option("--nnodes", args.nnodes, "machines taking part (default 1)");
    cmd->add_option("--node-rank,--node_rank", args.nodeRank,
                    "this machine's index in [0, nnodes) (default 0)");
    cmd->add_option("--master-addr,--master_addr", args.masterAddr,
                    "address of the machine running rank 0 (default 127.0.0.1)");
    cmd->add_option("--master-port,--master_port", args.masterPort,
                    "TCP port of rank 0's store (default 29500; 0: a free port, one machine only)");
    cmd->add_option("--log-dir,--log_dir", args.logDir,
                    "write worker R's stdout and stderr to DIR/rank<R>.log");
    cmd->add_option("--grace", args.grace,
                    "seconds between SIGTERM and SIGKILL when stopping workers (default 5)");
    cmd->add_option("--threads-per-worker", args.threadsPerWorker,
                    "intra-op threads per worker (default: MEDULLA_THREADS/OMP_NUM_THREADS if "
                    "set, else cores / nproc-per-node)");
    cmd->add_option("command", args.command,
                    "after --: the worker command, a medulla subcommand (train EXPERIMENT.json "
                    "...) or a program path");
    return cmd;
}

int runLaunch(const LaunchArgs& args) {
    LaunchOptions options;
    options.nproc_per_node(args.nprocPerNode)
        .nnodes(args.nnodes)
        .node_rank(args.nodeRank)
        .master_addr(args.masterAddr)
        .master_port(args.masterPort)
        .log_dir(args.logDir)
        .grace_s(args.grace)
        .threads_per_worker(args.threadsPerWorker);
    return launch(args.command, options, std::cerr);
}

} // namespace medulla::cli
