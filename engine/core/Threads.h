#pragma once
/// Intra-op thread count for LibTorch. Debian's LibTorch starts with one
/// thread on these machines; every entry point calls configureThreads().

namespace medulla {

/// Set LibTorch's intra-op thread count: `requested` if > 0, else the
/// MEDULLA_THREADS environment variable if set, else the number of hardware
/// threads. Returns the count in effect. Call before any parallel work.
int configureThreads(int requested = 0);

} // namespace medulla
