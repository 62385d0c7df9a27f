#pragma once
/// How `medulla launch` (and the studio) start the local worker processes of
/// a multi-process run, in torchrun's terms: `nnodes` machines, each running
/// `nproc_per_node` workers, all meeting at the c10d store of
/// master_addr:master_port. Global rank = node_rank * nproc_per_node + local
/// rank; world size = nnodes * nproc_per_node.

#include <torch/arg.h>

#include <string>

#include "engine/core/Error.h"

namespace medulla {

struct LaunchOptions {
    /// Worker processes on this machine (torchrun --nproc-per-node), >= 1.
    TORCH_ARG(int, nproc_per_node) = 1;
    /// Machines taking part (--nnodes), >= 1.
    TORCH_ARG(int, nnodes) = 1;
    /// This machine's index in [0, nnodes) (--node-rank).
    TORCH_ARG(int, node_rank) = 0;
    /// Address of the machine that hosts rank 0's store (--master-addr).
    TORCH_ARG(std::string, master_addr) = "127.0.0.1";
    /// TCP port of rank 0's store, 1..65535 (--master-port); 0 picks a free
    /// local port when the workers start (single machine only, nnodes 1).
    TORCH_ARG(int, master_port) = 29500;
    /// Seconds between SIGTERM and SIGKILL when stopping workers (--grace), >= 0.
    TORCH_ARG(double, grace_s) = 5;
    /// Non-empty: worker with global rank R writes its stdout and stderr to
    /// log_dir/rank<R>.log (created, truncated); empty: they inherit ours.
    TORCH_ARG(std::string, log_dir) = "";
    /// Intra-op threads per worker: > 0 sets MEDULLA_THREADS and
    /// OMP_NUM_THREADS to it; 0 leaves each of them as inherited, or sets an
    /// unset one to max(1, usable cores / nproc_per_node).
    TORCH_ARG(int, threads_per_worker) = 0;
    /// Linux: a worker gets SIGKILL when the thread that started it exits
    /// (PR_SET_PDEATHSIG), so that no worker outlives a crashed launcher.
    /// Start workers from a thread that lives at least as long as they do.
    TORCH_ARG(bool, die_with_parent) = true;
};

/// Throws ConfigError naming the command-line flag (e.g. "--node-rank") when
/// an option is out of range: nproc_per_node < 1, nnodes < 1, node_rank
/// outside [0, nnodes), master_port outside 1..65535 (0 is accepted only
/// with nnodes 1), an empty master_addr, grace_s < 0 or
/// threads_per_worker < 0.
inline void validateLaunchOptions(const LaunchOptions& o) {
    if (o.nproc_per_node() < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(o.nproc_per_node()), {},
                          "--nproc-per-node");
    if (o.nnodes() < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(o.nnodes()), {}, "--nnodes");
    if (o.node_rank() < 0 || o.node_rank() >= o.nnodes())
        throw ConfigError("must be in [0, " + std::to_string(o.nnodes()) + ") (--nnodes " +
                              std::to_string(o.nnodes()) + "), got " +
                              std::to_string(o.node_rank()),
                          {}, "--node-rank");
    if (o.master_port() < 0 || o.master_port() > 65535)
        throw ConfigError("must be in 1..65535, got " + std::to_string(o.master_port()), {},
                          "--master-port");
    if (o.master_port() == 0 && o.nnodes() > 1)
        throw ConfigError("0 (pick a free port) works on one machine only; with --nnodes > 1 "
                          "every node must be given the same port",
                          {}, "--master-port");
    if (o.master_addr().empty())
        throw ConfigError("must not be empty", {}, "--master-addr");
    if (!(o.grace_s() >= 0))
        throw ConfigError("must be >= 0 seconds", {}, "--grace");
    if (o.threads_per_worker() < 0)
        throw ConfigError("must be >= 0", {}, "--threads-per-worker");
}

} // namespace medulla
