#pragma once
/// Multi-process tests: the test program starts copies of itself as the
/// ranks of a group (WorkerProcesses: torchrun's environment, a free port
/// on 127.0.0.1), each running one named worker function instead of the
/// Qt Test suite. main() dispatches with runTestWorker() before QTest.

#include <QElapsedTimer>
#include <QString>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "engine/distributed/WorkerProcesses.h"

namespace medulla::test {

using TestWorker = std::function<int(const std::string& dir)>;

/// The worker named by MEDULLA_TEST_WORKER, run with MEDULLA_TEST_DIR; -1
/// when this process is not a worker.
inline int runTestWorker(const std::map<std::string, TestWorker>& workers) {
    const char* name = std::getenv("MEDULLA_TEST_WORKER");
    if (!name)
        return -1;
    const char* dir = std::getenv("MEDULLA_TEST_DIR");
    auto it = workers.find(name);
    if (it == workers.end() || !dir)
        return 99;
    try {
        return it->second(dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "worker %s failed: %s\n", name, e.what());
        return 98;
    }
}

/// Ranks 0..world-1 of this program running `worker` with files in `dir`
/// (their output goes to dir/rank<R>.log). Waits until every rank has
/// ended without stopping the others when one fails (the tests check
/// how the others react), at most `guard_s` (then stops them all).
/// With `untilRank0` the others are stopped 1 s after rank 0 has ended
/// (a worker that hangs on purpose). Returns each rank's status (exit
/// code, 128 + signal; -1 for one stopped by us).
inline std::vector<int> runRanks(const std::string& worker, int world, const QString& dir,
                                 double guard_s = 120, int threads = 1, bool untilRank0 = false) {
    setenv("MEDULLA_TEST_WORKER", worker.c_str(), 1);
    setenv("MEDULLA_TEST_DIR", dir.toStdString().c_str(), 1);
    std::vector<int> status(size_t(world), -1);
    {
        WorkerProcesses group({"/proc/self/exe"}, LaunchOptions()
                                                      .nproc_per_node(world)
                                                      .master_port(0)
                                                      .grace_s(2)
                                                      .threads_per_worker(threads)
                                                      .log_dir(dir.toStdString()));
        QElapsedTimer t;
        t.start();
        group.poll();
        qint64 rank0Ended = -1;
        while (group.running() && t.elapsed() < guard_s * 1000) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            group.poll();
            if (untilRank0 && rank0Ended < 0 && group.exitOf(0))
                rank0Ended = t.elapsed();
            if (rank0Ended >= 0 && t.elapsed() > rank0Ended + 1000)
                break;
        }
        std::vector<bool> ended(static_cast<size_t>(world));
        for (int r = 0; r < world; ++r)
            ended[size_t(r)] = group.exitOf(r).has_value();
        group.terminate();
        for (int r = 0; r < world; ++r)
            if (auto e = group.exitOf(r); e && ended[size_t(r)])
                status[size_t(r)] = e->status();
    }
    unsetenv("MEDULLA_TEST_WORKER");
    unsetenv("MEDULLA_TEST_DIR");
    return status;
}

} // namespace medulla::test
