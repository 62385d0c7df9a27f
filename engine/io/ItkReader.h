#pragma once
/// ITKReader: every format ITK reads, chosen by suffix or content: NIfTI-1
/// and Analyze (.nii, .nii.gz, .hdr/.img), NRRD (.nrrd, .nhdr), MetaImage
/// (.mha, .mhd), PNG, JPEG, BMP and TIFF. ITK's LPS geometry is converted
/// to RAS once, here. Data: (X, Y[, Z[, T]]) with X = ITK's first axis;
/// multi-component pixels (RGB) add a last channel axis.

#include "engine/io/ImageReader.h"

namespace medulla {

class ItkReader : public ImageReader {
public:
    std::string name() const override { return "ITKReader"; }
    std::string formats() const override;
    bool canRead(const FileProbe& probe) const override;
    LoadedImage read(const std::string& path, const ReadOptions& options = {}) const override;
};

} // namespace medulla
