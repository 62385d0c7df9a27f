#pragma once
/// All-or-nothing extraction of tar / tar.gz / tar.bz2 / tar.xz / zip
/// archives with libarchive: a dataset folder is either complete or absent.

#include <string>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"

namespace medulla {

/// Extract `archive` so that its entries appear under `destinationDir`.
///
/// Entries are written to a sibling folder `<destinationDir>.partial-<random>`
/// which is renamed to `destinationDir` only when every entry was written.
/// On any error (corrupt or truncated archive, unsafe entry, write failure,
/// cancel) that folder is removed and nothing appears at `destinationDir`.
///
/// - `destinationDir` must not exist, or be an empty folder (IoError).
/// - Entries with an absolute path or a `..` component are refused (IoError
///   naming the archive and the entry), as are links pointing outside the
///   archive's root. Links that stay inside are not created (skipped); hard
///   links become copies; devices, FIFOs and sockets are skipped.
/// - File modes and times are not restored (files are written with the
///   process umask), ownership never.
/// - Progress: fraction of the archive's (compressed) bytes consumed.
/// - Cancel: polled per block; throws CancelledError (temporary folder removed).
/// Errors are IoError with file = the archive path.
void extractArchive(const std::string& archive, const std::string& destinationDir,
                    ProgressSink& progress, const CancelToken* cancel = nullptr);

} // namespace medulla
