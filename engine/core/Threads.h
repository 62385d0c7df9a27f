#pragma once
/// Intra-op thread count for LibTorch. Debian's LibTorch starts with one
/// thread on these machines; every entry point calls configureThreads().

namespace medulla {

/// Set LibTorch's intra-op thread count: `requested` if > 0, else the
/// MEDULLA_THREADS environment variable if set, else the number of hardware
/// threads. Returns the count in effect. Call before any parallel work.
int configureThreads(int requested = 0);

/// Lower the calling thread's scheduling priority (Linux: nice +`increment`, capped at 19
/// for this thread only; elsewhere a no-op). Threads it creates afterwards
/// (LibTorch's intra-op pool, data-loader threads) inherit it. Background
/// work of an interactive front end calls this so that the GUI thread, and
/// the threads drawing depends on, come first on a busy machine. Lowering
/// needs no privilege; it cannot be undone by an unprivileged process.
void lowerThreadPriority(int increment = 10);

} // namespace medulla
