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

/// How writeNifti stores the voxels.
enum class NiftiVoxelType {
    FromTensor, ///< the tensor's dtype (see writeNifti)
    /// uint16 (NIfTI datatype 512; LibTorch 1.13 has no uint16 tensors):
    /// the values are rounded and must lie in 0..65535 (label maps of more
    /// than 255 classes).
    UInt16
};

/// Write a volume to `path` (.nii or .nii.gz) atomically: the data goes to a
/// temporary file beside it, renamed over `path` only when complete. One
/// channel is written as (X, Y[, Z]); several channels as a 4D image
/// (X, Y, Z, C) with the channels last (MONAI's NIfTI layout; a 2D image
/// gets Z = 1), which readNifti reads back as channels. The voxel type
/// follows the tensor's dtype (float32, float64, uint8, int16, int32; other
/// types are written as float32) unless `type` says otherwise.
/// Throws IoError naming the file on failure (e.g. disk full); an existing
/// file at `path` is then left untouched.
void writeNifti(const Volume& volume, const std::string& path,
                NiftiVoxelType type = NiftiVoxelType::FromTensor);

/// True if the name ends in .nii or .nii.gz (case-insensitive).
bool isNiftiPath(const std::string& path);

} // namespace medulla
