#pragma once
/// NIfTI-1/2 reading and writing (.nii, .nii.gz) through ITK, with the affine
/// in RAS+ exactly as nibabel reports it.

#include <string>

#include "engine/core/Volume.h"

namespace medulla {

/// Read `path` as a float32 volume shaped (C, X, Y[, Z]); a 4th (time or
/// component) axis becomes the channel axis, otherwise C = 1. Voxel axes keep
/// the file's order (i fastest on disk = X). scl_slope/inter are applied.
/// Throws IoError naming the file for missing, corrupt or truncated files.
Volume readNifti(const std::string& path);

/// Write a single-channel volume to `path` (.nii or .nii.gz) atomically: the
/// data goes to a temporary file beside it, renamed over `path` only when
/// complete. The voxel type follows the tensor's dtype (float32, float64,
/// uint8, int16, int32; other types are written as float32).
/// Throws IoError naming the file on failure (e.g. disk full); an existing
/// file at `path` is then left untouched.
void writeNifti(const Volume& volume, const std::string& path);

/// True if the name ends in .nii or .nii.gz (case-insensitive).
bool isNiftiPath(const std::string& path);

} // namespace medulla
