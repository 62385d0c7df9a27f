#include "engine/core/Threads.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include <thread>

namespace medulla {

int configureThreads(int requested) {
    int n = requested;
    if (n <= 0) {
        if (const char* env = std::getenv("MEDULLA_THREADS"))
            n = std::atoi(env);
    }
    if (n <= 0)
        n = int(std::thread::hardware_concurrency());
    if (n <= 0)
        n = 1;
    at::set_num_threads(n);
    return at::get_num_threads();
}

void lowerThreadPriority(int increment) {
#ifdef __linux__
    // On Linux the nice value belongs to the thread (its kernel task id).
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, tid);
    if (errno == 0)
        (void)::setpriority(PRIO_PROCESS, tid, std::min(19, current + increment));
#else
    (void)increment;
#endif
}

} // namespace medulla
