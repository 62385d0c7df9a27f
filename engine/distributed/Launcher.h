#pragma once
/// `medulla launch`: torchrun for Medulla. Starts this machine's workers
/// (WorkerProcesses), forwards Ctrl-C / SIGTERM to them and, when one fails,
/// stops the others and reports which rank failed and why.
///
///   medulla launch --nproc-per-node 2 -- train experiment.json
///   medulla launch --nnodes 2 --node-rank 1 --master-addr 10.0.0.1
///                  --master-port 29500 --nproc-per-node 4 -- train exp.json

#include <iosfwd>
#include <string>
#include <vector>

#include "engine/distributed/LaunchOptions.h"

namespace medulla {

/// The argv every worker runs for a `launch` command line: `command` itself
/// when command[0] holds a '/' (a path to a program), otherwise this very
/// program (/proc/self/exe) with `command` as its arguments, so that
/// `-- train exp.json` runs `medulla train exp.json`. Throws ConfigError
/// (field "command") when `command` is empty, Error when this program's path
/// cannot be read.
std::vector<std::string> workerCommand(const std::vector<std::string>& command);

/// Runs the workers of this machine until all have ended and returns the
/// exit status for the shell: 0 when every worker succeeded; the first
/// failed worker's exit code (128 + signal when it was killed) after the
/// others were stopped; 130 when interrupted.
///
/// While it runs, SIGINT and SIGTERM are caught (the previous handlers come
/// back on return): the first one sends SIGTERM to every worker (SIGKILL
/// after grace_s), a second one SIGKILL at once. One launch() per process at
/// a time (the handlers are process-wide); a second concurrent call throws.
///
/// Writes one line when the workers start and one clear line when a worker
/// fails (naming its rank and why, and that the others were stopped) to
/// `log`. Throws ConfigError naming the flag for invalid options, Error
/// naming the program when it cannot be started.
int launch(const std::vector<std::string>& command, const LaunchOptions& options,
           std::ostream& log);

} // namespace medulla
