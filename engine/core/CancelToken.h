#pragma once
/// Cooperative cancellation for long work. The requesting thread calls
/// cancel(); the worker polls isCancelled() (or throwIfCancelled()) at safe
/// points, at least once per unit of work (one iteration, one case, one slice).

#include <atomic>
#include <memory>

#include "engine/core/Error.h"

namespace medulla {

/// Thread-safe cancel flag. Share it as std::shared_ptr<CancelToken>.
class CancelToken {
public:
    /// Request cancellation. Idempotent, callable from any thread.
    void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
    /// True once cancel() was called.
    bool isCancelled() const noexcept { return cancelled_.load(std::memory_order_relaxed); }
    /// Throws CancelledError if cancellation was requested.
    void throwIfCancelled() const {
        if (isCancelled())
            throw CancelledError();
    }
    /// Clear the flag (for reuse before a new run).
    void reset() noexcept { cancelled_.store(false, std::memory_order_relaxed); }

private:
    std::atomic<bool> cancelled_{false};
};

using CancelTokenPtr = std::shared_ptr<CancelToken>;

} // namespace medulla
