#include "engine/core/Threads.h"

#include <ATen/Parallel.h>

#include <cstdlib>
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

} // namespace medulla
