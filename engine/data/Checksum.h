#pragma once
/// Checksums of downloads and archives: MD5 (what the Medical Segmentation
/// Decathlon and MONAI publish) and SHA-256, as lower-case hex strings.

#include <string>

#include "engine/core/CancelToken.h"

namespace medulla {

/// MD5 of the whole file, 32 lower-case hex digits. Reads in 1 MiB blocks and
/// polls `cancel` between blocks (CancelledError). IoError naming the file if
/// it cannot be opened or read. Thread-safe (no shared state).
std::string md5OfFile(const std::string& path, const CancelToken* cancel = nullptr);

/// SHA-256 of the whole file, 64 lower-case hex digits; same contract as md5OfFile.
std::string sha256OfFile(const std::string& path, const CancelToken* cancel = nullptr);

/// SHA-256 of a byte string, 64 lower-case hex digits.
std::string sha256Hex(const std::string& bytes);

/// MD5 of a byte string, 32 lower-case hex digits.
std::string md5Hex(const std::string& bytes);

} // namespace medulla
