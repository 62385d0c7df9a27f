#include "engine/io/NiftiReader.h"

#include <ATen/ATen.h>

#include "engine/io/NiftiHeader.h"
#include "engine/io/NiftiIO.h"

namespace medulla {

bool NiftiReader::canRead(const FileProbe& probe) const {
    if (probe.isDirectory)
        return false;
    if (probe.endsWith(".nii") || probe.endsWith(".nii.gz"))
        return true;
    // Uncompressed single files carry their magic at byte 344 (NIfTI-1) or 4 (NIfTI-2).
    const std::string& h = probe.head;
    return (h.size() >= 348 && h.compare(344, 4, std::string("n+1\0", 4)) == 0) ||
           (h.size() >= 8 && h.compare(4, 4, std::string("n+2\0", 4)) == 0);
}

LoadedImage NiftiReader::read(const std::string& path, const ReadOptions&) const {
    const NiftiHeader h = readNiftiHeader(path);
    const Volume v = readNifti(path); // (C, X, Y[, Z]); C = the 4th axis
    LoadedImage out;
    out.affine = v.affine();
    out.data = h.shape.size() > 3 ? v.data().movedim(0, -1).contiguous() : v.data()[0];
    out.meta.filenames = {path};
    out.meta.reader = name();
    out.meta.originalAffine = v.affine();
    out.meta.originalChannelDim = h.shape.size() > 3 ? -1 : ImageMeta::kNoChannel;
    out.meta.sourceDtype = niftiDatatypeName(h.datatype);
    out.meta.spatialShape = v.spatialShape();
    out.meta.tags["nifti_version"] = std::to_string(h.version);
    out.meta.tags["qform_code"] = std::to_string(h.qformCode);
    out.meta.tags["sform_code"] = std::to_string(h.sformCode);
    return out;
}

} // namespace medulla
