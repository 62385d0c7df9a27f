#include "engine/io/ImageLoader.h"

#include "engine/core/Error.h"
#include "engine/io/NiftiIO.h"

namespace medulla {

Volume loadImage(const std::string& path) {
    if (isNiftiPath(path))
        return readNifti(path);
    throw IoError("unsupported image format (supported: .nii, .nii.gz)", path);
}

void saveImage(const Volume& volume, const std::string& path) {
    if (isNiftiPath(path))
        return writeNifti(volume, path);
    throw IoError("unsupported output format (supported: .nii, .nii.gz)", path);
}

} // namespace medulla
