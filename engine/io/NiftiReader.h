#pragma once
/// NiftiReader: NIfTI-1 and NIfTI-2 single files (.nii, .nii.gz), with
/// nibabel's affine rules and truncation checks (see NiftiIO.h). Data:
/// float32 (X, Y[, Z]) with scl_slope/inter applied; a 4th axis is kept
/// last as the channel axis (MONAI's NibabelReader layout).

#include "engine/io/ImageReader.h"

namespace medulla {

class NiftiReader : public ImageReader {
public:
    std::string name() const override { return "NiftiReader"; }
    std::string formats() const override { return "NIfTI-1/2 (.nii, .nii.gz)"; }
    bool canRead(const FileProbe& probe) const override;
    LoadedImage read(const std::string& path, const ReadOptions& options = {}) const override;
};

} // namespace medulla
