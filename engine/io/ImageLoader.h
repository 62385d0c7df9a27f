#pragma once
/// The engine's simple entry points for image files: load any supported
/// image as a channel-first float32 Volume, save a Volume in the format its
/// extension names. (LoadImage.h has MONAI's LoadImage with all options.)

#include <string>

#include "engine/core/Volume.h"

namespace medulla {

/// Load any supported image file or DICOM series folder as a float32
/// channel-first volume. Throws IoError naming the file for unsupported,
/// missing or corrupt files.
Volume loadImage(const std::string& path);

/// Save a volume, atomically; the format follows the extension:
///  - .nii / .nii.gz: NIfTI-1 with the full affine (several channels as a
///    4th axis, channels last: writeNifti);
///  - .npz: arrays "image" (C, X, Y[, Z]) and "affine" (4x4, RAS), which
///    NumpyReader restores; .npy: the voxels only;
///  - .png: a 2D image (1 channel grey, 3 channels RGB; uint8 or uint16
///    after rounding and clamping), pixel spacing in the pHYs chunk.
void saveImage(const Volume& volume, const std::string& path);

} // namespace medulla
