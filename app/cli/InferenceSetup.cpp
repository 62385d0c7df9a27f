#include "app/cli/InferenceSetup.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <thread>

#include "engine/core/Error.h"

namespace medulla::cli {

JobState runInterruptible(const std::function<JobState(const CancelToken&)>& work,
                          const std::function<bool()>& interrupted) {
    CancelToken cancel;
    JobState state = JobState::Completed;
    std::exception_ptr error;
    std::atomic<bool> done{false};
    std::thread worker([&] {
        try {
            state = work(cancel);
        } catch (const CancelledError&) {
            state = JobState::Cancelled;
        } catch (...) {
            error = std::current_exception();
        }
        done = true;
    });
    while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (!cancel.isCancelled() && interrupted())
            cancel.cancel();
    }
    worker.join();
    if (error)
        std::rethrow_exception(error);
    return state;
}

} // namespace medulla::cli
