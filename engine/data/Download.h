#pragma once
/// Resumable HTTP(S) downloads with libcurl: a `.part` file that survives
/// dropped connections, cancellation and restarts, MD5 verification and an
/// atomic rename into place.

#include <torch/arg.h>

#include <cstdint>
#include <string>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"

namespace medulla {

struct DownloadOptions {
    /// http://, https:// (or any scheme libcurl supports) URL of the file.
    TORCH_ARG(std::string, url);
    /// Final path of the file. The transfer writes `<destination>.part` and
    /// renames it to `destination` only when complete (and verified).
    TORCH_ARG(std::string, destination);
    /// Expected MD5, 32 hex digits (case-insensitive); empty: no verification.
    TORCH_ARG(std::string, md5);
    /// Seconds allowed to establish a connection.
    TORCH_ARG(int64_t, connect_timeout_s) = 30;
    /// A transfer that receives nothing for this many seconds is treated as a
    /// dropped connection (and retried).
    TORCH_ARG(int64_t, stall_timeout_s) = 60;
    /// Further attempts after a network failure (refused or dropped
    /// connection, timeout, HTTP 5xx). Each one resumes the `.part` file.
    TORCH_ARG(int64_t, max_retries) = 5;
    /// Pause before a retry, milliseconds (doubled on each further retry, at
    /// most 30 s). Cancellation is polled during the pause.
    TORCH_ARG(int64_t, retry_delay_ms) = 1000;
};

/// Download `options.url` to `options.destination`.
///
/// - If the destination exists and its MD5 matches (or no MD5 is given), it
///   is kept and nothing is transferred. A destination with a wrong MD5 is
///   downloaded again.
/// - An existing `<destination>.part` is resumed with an HTTP Range request;
///   a server that ignores Range restarts the file from byte 0.
/// - Progress: `fraction` of the bytes, message
///   "downloading NAME: 12.3 of 45.6 MB". Called on the calling thread.
/// - Cancel: polled by the transfer (at least once per second) and between
///   retries; throws CancelledError and keeps the `.part` for a later resume.
/// - Errors: IoError naming the URL (HTTP 404, network failures after all
///   retries) or the destination (cannot write; MD5 mismatch: "expected X,
///   got Y", and the bad file is deleted).
/// Blocks the calling thread; safe to run on several threads at once for
/// different destinations.
void downloadFile(const DownloadOptions& options, ProgressSink& progress,
                  const CancelToken* cancel = nullptr);

} // namespace medulla
