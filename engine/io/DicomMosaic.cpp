/// Siemens mosaics: NumberOfImagesInMosaic slices tiled row by row in one
/// image (a square grid of ceil(sqrt(n)) tiles). The slices follow each other
/// along the CSA header's SliceNormalVector, SpacingBetweenSlices apart;
/// ImagePositionPatient is the corner of the whole mosaic, so the first
/// slice's corner is shifted by half the unused width and height. Several
/// files of one series at the same place are repeated volumes (time points,
/// diffusion directions): they become the channel axis, in InstanceNumber
/// order.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/io/DicomSeries.h"

namespace medulla {

LoadedImage loadMosaicSeries(const DicomSeriesGroup& group, const CancelToken* cancel) {
    std::vector<const DicomHeader*> files;
    for (const auto& f : group.files)
        files.push_back(&f);
    std::stable_sort(files.begin(), files.end(), [](const DicomHeader* a, const DicomHeader* b) {
        return a->instanceNumber < b->instanceNumber;
    });
    const DicomHeader& h = *files[0];
    const std::string name = "series " + group.label();
    const int n = h.mosaicImages;
    const int grid = int(std::ceil(std::sqrt(double(n))));
    if (grid <= 0 || h.rows % grid || h.columns % grid)
        throw IoError(name + ": a mosaic of " + std::to_string(n) + " images does not tile " +
                          std::to_string(h.rows) + "x" + std::to_string(h.columns),
                      h.path);
    const int tileRows = h.rows / grid, tileCols = h.columns / grid;
    const DicomFrameGeometry& g = h.shared;
    if (!g.position || !g.orientation || !g.pixelSpacing)
        throw IoError(name + ": a mosaic without ImagePositionPatient, ImageOrientationPatient "
                             "and PixelSpacing cannot be placed",
                      h.path);
    for (const DicomHeader* f : files) {
        const bool same = f->mosaicImages == n && f->rows == h.rows && f->columns == h.columns &&
                          f->shared.position && f->shared.orientation;
        double moved = 0;
        for (int i = 0; same && i < 3; ++i)
            moved = std::max(moved,
                             std::abs((*f->shared.position)[size_t(i)] - (*g.position)[size_t(i)]));
        if (!same || moved > 1e-3)
            throw IoError(name + ": its mosaics differ in size or position", f->path);
    }
    LoadedImage out;
    ImageMeta& meta = out.meta;
    meta.reader = "DicomReader";
    meta.tags = h.tags;
    meta.tags["TransferSyntaxUID"] = h.transferSyntax;
    meta.tags["NumberOfImagesInMosaic"] = std::to_string(n);
    const auto& o = *g.orientation;
    const std::array<double, 3> r{o[0], o[1], o[2]}, c{o[3], o[4], o[5]};
    std::array<double, 3> normal{r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2],
                                 r[0] * c[1] - r[1] * c[0]};
    if (h.csaSliceNormal)
        normal = *h.csaSliceNormal;
    else
        meta.warnings.push_back("no SliceNormalVector in the CSA header: slices assumed to "
                                "follow the row x column direction");
    const double len =
        std::sqrt(normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]);
    if (len < 1e-6)
        throw IoError(name + ": zero SliceNormalVector", h.path);
    for (auto& v : normal)
        v /= len;
    double spacing = h.spacingBetweenSlices.value_or(0);
    if (spacing <= 0)
        spacing = h.sliceThickness.value_or(0);
    if (spacing <= 0)
        throw IoError(name + ": mosaic without SpacingBetweenSlices or SliceThickness", h.path);
    meta.warnings.push_back("Siemens mosaic: " + std::to_string(n) + " slices unpacked from a " +
                            std::to_string(grid) + "x" + std::to_string(grid) + " grid");

    const int64_t T = int64_t(files.size());
    const bool integral = std::floor(g.rescaleSlope) == g.rescaleSlope &&
                          std::floor(g.rescaleIntercept) == g.rescaleIntercept;
    at::Tensor data =
        torch::empty({tileCols, tileRows, n, T}, integral ? torch::kInt : torch::kFloat);
    for (int64_t t = 0; t < T; ++t) {
        if (cancel)
            cancel->throwIfCancelled();
        at::Tensor img = readDicomFrames(files[size_t(t)]->path)[0].select(-1, 0); // (R, C)
        for (int k = 0; k < n; ++k) {
            const at::Tensor tile = img.narrow(0, int64_t(k / grid) * tileRows, tileRows)
                                        .narrow(1, int64_t(k % grid) * tileCols, tileCols);
            data.select(3, t).select(2, k).copy_(tile.t());
        }
        meta.filenames.push_back(files[size_t(t)]->path);
    }
    if (T == 1)
        data = data.select(3, 0);
    out.data = data.contiguous();
    if (integral)
        out.data = narrowIntegral(out.data);
    meta.originalChannelDim = T > 1 ? -1 : ImageMeta::kNoChannel;
    meta.spatialShape = {tileCols, tileRows, n};
    meta.sourceDtype =
        std::string(h.pixelRepresentation ? "int" : "uint") + std::to_string(h.bitsAllocated);

    const auto& ps = *g.pixelSpacing; // (row spacing, column spacing)
    std::array<double, 3> origin = *g.position;
    for (int i = 0; i < 3; ++i)
        origin[size_t(i)] += r[size_t(i)] * ps[1] * (h.columns - tileCols) / 2.0 +
                             c[size_t(i)] * ps[0] * (h.rows - tileRows) / 2.0;
    std::array<std::array<double, 4>, 4> m{};
    for (size_t row = 0; row < 3; ++row) {
        const double flip = row < 2 ? -1.0 : 1.0; // LPS -> RAS
        m[row] = {flip * r[row] * ps[1], flip * c[row] * ps[0], flip * normal[row] * spacing,
                  flip * origin[row]};
    }
    m[3] = {0, 0, 0, 1};
    out.affine = Affine(m);
    meta.originalAffine = out.affine;
    return out;
}

} // namespace medulla
