#pragma once
/// MONAI's resampling array transforms on Volumes (channel-first, 2D or 3D):
/// Spacing, Orientation, Resize, Zoom, Rotate, Affine, plus resampling onto
/// a given grid (Invertd, SpatialResample). MONAI 1.3 semantics, checked by
/// the transforms group of ../shared/parity. Every function returns float32
/// voxels and an affine that keeps each voxel's world position; none
/// modifies its input. Errors name `context` (e.g. "Spacingd.pixdim").
///
/// Interpolation ("mode") names: "nearest", "bilinear" (= "linear",
/// "trilinear"), "bspline" (= "3", cubic B-spline). Padding names: "zeros",
/// "border", "reflection". Resize and Zoom use torch interpolate modes
/// instead: "nearest", "nearest-exact", "linear"/"bilinear"/"trilinear",
/// "bicubic" (2D), "area".

#include <optional>
#include <string>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/transforms/MatrixN.h"
#include "kernels/cpu/Resample.h"

namespace medulla {

struct GridMode {
    kernels::Interp interp = kernels::Interp::Linear;
    kernels::Padding padding = kernels::Padding::Border;
    bool alignCorners = false;
};

/// Parse "mode" / "padding_mode" values (see above); ConfigError names `context`.
kernels::Interp parseInterp(const std::string& mode, const std::string& context);
kernels::Padding parsePadding(const std::string& mode, const std::string& context);
/// "none" (unset), "true" or "false" (MONAI's align_corners=None default of
/// Resize/Zoom); ConfigError naming `field` otherwise.
std::optional<bool> parseOptionalBool(const std::string& value, const std::string& field);
/// The accepted names, for parameter schemas.
std::vector<std::string> interpChoices();
std::vector<std::string> paddingChoices();
std::vector<std::string> interpolateChoices();

/// Resample `v` onto the grid (shape, affine) by world position: output
/// voxel j takes the value at world point affine * j.
Volume resampleToGrid(const Volume& v, const std::vector<int64_t>& shape, const Affine& affine,
                      const GridMode& mode);

struct SpacingParams {
    std::vector<double> pixdim;               ///< mm per axis; <= 0 keeps the axis
    bool diagonal = false;                    ///< resample onto an axis-aligned RAS grid
    bool scaleExtent = false;                 ///< scale voxel extents, not centres
    std::vector<double> minPixdim, maxPixdim; ///< keep spacings already in range
    GridMode mode{kernels::Interp::Linear, kernels::Padding::Border, false};
};
Volume spacingVolume(const Volume& v, const SpacingParams& p, const std::string& context);

/// Permute/flip axes to the nearest orientation `axcodes` ("RAS", "LPS", …;
/// 2D: two letters, or the first two of three).
Volume orientationVolume(const Volume& v, const std::string& axcodes, const std::string& context);

/// Resize to `size` (size_mode "all": one per axis, <= 0 keeps the axis;
/// "longest": one value for the longest axis, the others scaled alike).
Volume resizeVolume(const Volume& v, const std::vector<int64_t>& size, const std::string& sizeMode,
                    const std::string& mode, std::optional<bool> alignCorners, bool antiAliasing,
                    const std::vector<double>& antiAliasingSigma, const std::string& context);

/// Zoom by factors (one for all axes or one per axis); keep_size pads or
/// crops back to the input size with numpy pad mode `paddingMode`.
Volume zoomVolume(const Volume& v, const std::vector<double>& zoom, const std::string& mode,
                  const std::string& paddingMode, std::optional<bool> alignCorners, bool keepSize,
                  const std::string& context);

/// Rotate by `angle` radians (2D: one angle; 3D: about axes 0, 1, 2) around
/// the image centre; keep_size = false grows the grid to hold the result.
Volume rotateVolume(const Volume& v, const std::vector<double>& angle, bool keepSize,
                    const GridMode& mode, const std::string& context);

struct AffineParams {
    std::vector<double> rotate, shear, translate, scale; ///< empty = none
    std::vector<int64_t> spatialSize;                    ///< empty / <= 0: input size
};
/// MONAI's Affine: the matrix (rotate @ shear @ translate @ scale) acts on
/// the centred voxel grid; `matrixOut` receives it when given.
Volume affineVolume(const Volume& v, const AffineParams& p, const GridMode& mode,
                    MatrixN* matrixOut, const std::string& context);

/// MONAI's create_rotate/create_shear/create_translate/create_scale product
/// for d spatial axes.
MatrixN affineMatrix(size_t d, const AffineParams& p, const std::string& context);

/// Resample through an explicit output-index -> input-index map as MONAI's
/// AffineTransform(normalized=False) does (align_corners rescales the grid);
/// the output affine is v.affine @ map.
Volume resampleIndexMap(const Volume& v, const MatrixN& map, const std::vector<int64_t>& outShape,
                        const GridMode& mode);

} // namespace medulla
