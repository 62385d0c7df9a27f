#pragma once
/// NumpyReader: .npy and .npz arrays (MONAI's NumpyReader). The array's
/// axes are taken as spatial axes (X, Y[, Z]); several .npz arrays are
/// stacked on a new first (channel) axis. The affine is the identity,
/// unless the .npz holds a 4x4 "affine" array (as Medulla's NumPy writer
/// stores it), which is then used and not loaded as data.

#include "engine/io/ImageReader.h"

namespace medulla {

class NumpyReader : public ImageReader {
public:
    std::string name() const override { return "NumpyReader"; }
    std::string formats() const override { return "NumPy (.npy, .npz)"; }
    bool canRead(const FileProbe& probe) const override;
    LoadedImage read(const std::string& path, const ReadOptions& options = {}) const override;
};

} // namespace medulla
