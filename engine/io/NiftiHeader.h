#pragma once
/// The geometry part of a NIfTI-1 or NIfTI-2 header (.nii, .nii.gz, .hdr),
/// parsed directly so that the affine follows nibabel's rules exactly:
/// sform if sform_code > 0, else qform if qform_code > 0, else the
/// "zooms only" fallback centred on the volume with x flipped.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Affine.h"

namespace medulla {

struct NiftiHeader {
    int version = 1; ///< 1 or 2
    bool bigEndian = false;
    std::vector<int64_t> shape; ///< dim[1..dim[0]]
    std::array<double, 8> pixdim{};
    int datatype = 0;
    int bitpix = 0;       ///< bits per voxel
    double voxOffset = 0; ///< byte offset of the voxel data (single-file .nii)
    double sclSlope = 0, sclInter = 0;
    int qformCode = 0, sformCode = 0;
    Vec3 quatern{};      ///< quatern_b, c, d
    Vec3 qoffset{};      ///< qoffset_x, y, z
    Affine qform, sform; ///< valid only when their codes are > 0
    Affine affine;       ///< nibabel's best affine (RAS+)
};

/// NumPy-style name of a NIfTI datatype code ("int16", "float32", "rgb24",
/// ...), or "unknown(<code>)".
std::string niftiDatatypeName(int code);

/// Read the header of `path` (gzip or plain). Throws IoError naming the file
/// if it is missing, truncated or not NIfTI.
NiftiHeader readNiftiHeader(const std::string& path);

} // namespace medulla
