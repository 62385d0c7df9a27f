#pragma once
/// Whole-file gzip decompression with libdeflate, several times faster than
/// zlib's streaming gzread on the .nii.gz files of a training set.

#include <cstddef>
#include <string>

namespace medulla {

/// Decompress the first `size` bytes of the gzip file `path` into `out`.
/// Returns false when this fast path cannot (file unreadable, not gzip,
/// corrupt or shorter than `size`); callers then take the streaming path,
/// which reports the precise error. Thread-safe.
bool inflateGzipPrefix(const std::string& path, void* out, size_t size);

} // namespace medulla
