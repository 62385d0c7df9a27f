#pragma once
/// One Sample on disk, for PersistentDataset: volumes (any dtype, with
/// affines), metadata, datalist paths and fields, and the record of applied
/// spatial transforms, so a sample read back is the sample written.
///
/// Layout: the line "MEDULLA-SAMPLE 1\n", a little-endian uint64 header
/// length, a JSON header, then the raw bytes of every volume (C order, in
/// header order). `tag` is an arbitrary string stored in the header (the
/// persistent cache stores its key there to detect a mismatched file).

#include <string>

#include "engine/transforms/Sample.h"

namespace medulla {

/// Write atomically (temporary file + rename). Throws IoError naming `path`.
void writeSampleFile(const Sample& sample, const std::string& path, const std::string& tag);

/// Read a file written by writeSampleFile. Throws IoError naming `path` if
/// it is missing, truncated, corrupt or not a sample file; `tag` (if not
/// null) receives the stored tag.
Sample readSampleFile(const std::string& path, std::string* tag = nullptr);

} // namespace medulla
