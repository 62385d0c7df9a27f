#pragma once
/// MONAI 1.3's BorderPad, SpatialCrop, CropForeground and ResizeWithPadOrCrop
/// as array operations on channel-first Volumes, plus the box arithmetic the
/// random crops share. Every result keeps each voxel at its world position:
/// a crop moves the affine's origin to the first kept voxel, a pad moves it
/// back by the padded voxels (whole voxels, never resampled). Pure functions,
/// safe to call from any thread.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Volume.h"

namespace medulla {

/// A spatial box in voxels, array order; `end` is exclusive. Either bound
/// may lie outside the image (CropForeground with allow_smaller=false).
struct CropBox {
    std::vector<int64_t> start;
    std::vector<int64_t> end;
};

/// One value for every axis or one per axis (`n` values); anything else is a
/// ConfigError naming `field`.
std::vector<int64_t> perAxisValues(const std::vector<int64_t>& values, size_t n,
                                   const std::string& field);

/// MONAI's fall_back_tuple: values <= 0 take the image's size on that axis.
std::vector<int64_t> fallBackSize(const std::vector<int64_t>& size,
                                  const std::vector<int64_t>& shape, const std::string& field);

/// Throws ConfigError naming `field` unless mode is one padBorders knows.
void checkPadMode(const std::string& mode, const std::string& field);

/// Pad before[d] voxels at the start and after[d] at the end of spatial axis
/// d. mode: "constant" (with `value`), "edge"/"replicate", "reflect",
/// "circular"/"wrap"; anything else is a ConfigError naming context.mode.
Volume padBorders(const Volume& v, const std::vector<int64_t>& before,
                  const std::vector<int64_t>& after, const std::string& mode, double value,
                  const std::string& context);

/// BorderPad: spatial_border of 1 value (all borders), N values (both borders
/// of each axis) or 2N values (start, end of each axis in turn); negative
/// values count as 0.
Volume borderPadVolume(const Volume& v, const std::vector<int64_t>& spatialBorder,
                       const std::string& mode, double value, const std::string& context);

/// Crop [start, end) with MONAI's slice rules: start is clamped to >= 0,
/// end to >= start, and both to the image (so the result may be smaller
/// than asked, even empty).
Volume cropToBox(const Volume& v, const CropBox& box);

/// The box MONAI's Crop.compute_slices makes from a centre and a size:
/// start = max(centre - size / 2, 0), end = start + max(size, 0).
CropBox boxFromCenter(const std::vector<int64_t>& center, const std::vector<int64_t>& size);

/// SpatialCrop from roi_center + roi_size (1 or N values each).
Volume spatialCropCenter(const Volume& v, const std::vector<int64_t>& roiCenter,
                         const std::vector<int64_t>& roiSize);
/// SpatialCrop from roi_start + roi_end (1 or N values each).
Volume spatialCropStartEnd(const Volume& v, const std::vector<int64_t>& roiStart,
                           const std::vector<int64_t>& roiEnd);

/// CropForeground's box: the bounding box of voxels where any of the chosen
/// channels (all when `channelIndices` is empty) is > `threshold`, grown by
/// `margin` (1 or N values, >= 0), clipped to the image when `allowSmaller`,
/// then grown symmetrically (extra voxel at the start) to a multiple of
/// `kDivisible` (1 or N values; <= 0 keeps the size). No foreground: an
/// all-zero box. Throws ConfigError naming `context` for bad parameters.
CropBox foregroundBox(const at::Tensor& image, const std::vector<int64_t>& channelIndices,
                      const std::vector<int64_t>& margin, bool allowSmaller,
                      const std::vector<int64_t>& kDivisible, const std::string& context,
                      double threshold = 0.0);

/// Crop to `box` and pad whatever of it lies outside the image (mode,
/// value as padBorders): CropForeground.crop_pad. Output spatial shape is
/// end - start.
Volume cropPadToBox(const Volume& v, const CropBox& box, const std::string& mode, double value,
                    const std::string& context);

/// CropForeground on one volume (its own foreground); `box` receives the
/// box when not null (return_coords).
Volume cropForegroundVolume(const Volume& v, const std::vector<int64_t>& channelIndices,
                            const std::vector<int64_t>& margin, bool allowSmaller,
                            const std::vector<int64_t>& kDivisible, const std::string& mode,
                            double value, const std::string& context, CropBox* box = nullptr);

/// ResizeWithPadOrCrop: centre-crop the axes larger than spatial_size, then
/// pad the smaller ones (method "symmetric" or "end"); values <= 0 keep
/// that axis.
Volume resizeWithPadOrCropVolume(const Volume& v, const std::vector<int64_t>& spatialSize,
                                 const std::string& method, const std::string& mode, double value,
                                 const std::string& context);

/// MONAI's correct_crop_centers: move `center` so that a patch of `size`
/// (already fallen back, and limited to the image when `allowSmaller`)
/// fits in `shape`. Throws ShapeError naming `context` when the patch is
/// larger than the image and !allowSmaller.
std::vector<int64_t> correctCropCenter(const std::vector<int64_t>& center,
                                       std::vector<int64_t> size, const std::vector<int64_t>& shape,
                                       bool allowSmaller, const std::string& context);

} // namespace medulla
