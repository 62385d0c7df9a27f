#pragma once
/// First cut of the LoadImage factory: picks a reader from the file name.
/// (Issue 3 turns this into a registry of ITK and DCMTK readers.)

#include <string>

#include "engine/core/Volume.h"

namespace medulla {

/// Load any supported image file as a float32 channel-first volume.
/// Throws IoError naming the file for unsupported, missing or corrupt files.
Volume loadImage(const std::string& path);

/// Save a single-channel volume; the format follows the extension.
void saveImage(const Volume& volume, const std::string& path);

} // namespace medulla
