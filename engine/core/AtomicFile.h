#pragma once
/// Atomic file writing: data goes to a temporary file in the target's folder
/// and is renamed over the target only when complete, so a crash, a full
/// disk or an error never leaves a half-written file (and never destroys
/// the previous version).

#include <functional>
#include <string>

namespace medulla {

/// Create the parent folder if needed, call `write(temporaryPath)`, then
/// rename the temporary file to `path`. `tmpSuffix` ends the temporary name
/// (for writers that choose the format from the extension, e.g. ".nii.gz").
/// On failure the temporary file is removed and an IoError naming `path` is
/// thrown (an IoError from `write` keeps its message).
void writeAtomically(const std::string& path,
                     const std::function<void(const std::string& tmpPath)>& write,
                     const std::string& tmpSuffix = "");

/// writeAtomically() of a text file with `contents`; checks the stream.
void writeTextAtomically(const std::string& path, const std::string& contents);

} // namespace medulla
