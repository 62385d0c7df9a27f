#pragma once
/// LibTorch's CPU allocator, replaced by one that counts and caches.
///
/// Counting: bytes held by tensors now and their peak (NetworkProbe's
/// measured training-step memory).
///
/// Caching: a training step allocates and frees the same large buffers
/// (activations, gradients) every iteration. Through glibc each buffer above
/// 32 MB is a fresh mmap whose pages the kernel zero-fills on first touch -
/// a fifth of the CPU time of a 3D UNet step. Freed blocks of 1 MB and more
/// are therefore kept (by exact size, rounded to 64 KB) and handed out again,
/// up to a cap (default a quarter of physical memory, at most 8 GiB;
/// environment MEDULLA_CPU_CACHE_MB overrides, 0 disables caching).
///
/// Thread-safe. Installed once per process by installCpuAllocator() (and on
/// first use of the statistics); tensors allocated before keep their own
/// deleters, so installing late is safe.

#include <cstdint>

namespace medulla {

/// Install the allocator for at::kCPU (idempotent).
void installCpuAllocator();

struct CpuMemoryStats {
    int64_t liveBytes = 0;   ///< held by tensors now
    int64_t peakBytes = 0;   ///< highest liveBytes since resetPeak
    int64_t cachedBytes = 0; ///< freed blocks kept for reuse
    int64_t cacheLimitBytes = 0;
    int64_t hits = 0;   ///< allocations served from the cache
    int64_t misses = 0; ///< cacheable allocations that were not
};

CpuMemoryStats cpuMemoryStats();
void resetCpuPeak();
/// Return every cached block to the system.
void emptyCpuCache();

} // namespace medulla
