#pragma once
/// The pieces every caching dataset shares: running a transform prefix over
/// many items on several threads with progress and cancel, compacting what
/// is stored, and counting the bytes a cache holds.

#include <functional>
#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"
#include "engine/transforms/Compose.h"

namespace medulla {

/// Run fn(i) for every i in [0, n) on `workers` threads (each takes the next
/// free index; workers <= 0 means one per hardware thread). Progress is
/// reported after each item as "<verb> k/n" (calls are serialised, from the
/// worker threads); `cancel` is polled before each item. The first error
/// stops the remaining items and is rethrown on the caller, after every
/// thread has finished; a cancel throws CancelledError.
void forEachItem(size_t n, int workers, const std::function<void(size_t)>& fn,
                 ProgressSink& progress, const CancelToken* cancel, const std::string& verb);

/// The state of `item` to cache: the deterministic `prefix` run on it
/// (Compose::run with key 0; it must produce exactly one sample), every
/// tensor made contiguous and, if it is a view into a larger buffer (a
/// crop), copied out so that the buffer can be freed. Errors name the file.
Sample prepareCacheItem(const Compose& prefix, const Sample& item);

/// Bytes of tensor storage the samples hold, each storage counted once.
size_t tensorBytes(const std::vector<const Sample*>& samples);

/// Version counters of the sample's tensors (in-place writes bump them).
std::vector<int64_t> tensorVersions(const Sample& sample);

/// Throws Error if `sample`'s tensors changed since `versions` was taken:
/// a transform wrote into a cached item in place.
void checkUnmodified(const Sample& sample, const std::vector<int64_t>& versions,
                     const std::string& file);

} // namespace medulla
