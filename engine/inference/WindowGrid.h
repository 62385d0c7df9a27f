#pragma once
/// Where sliding windows go and how they are weighted: MONAI 1.3's window
/// placement (monai.inferers.utils._get_scan_interval and
/// monai.data.utils.dense_patch_slices) and importance map
/// (monai.data.utils.compute_importance_map), as free functions so that
/// tests can check them in closed form. Sizes are spatial only, in array
/// order. Errors are ShapeError / ConfigError naming `field`.

#include <ATen/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

namespace medulla {

/// MONAI's ensure_tuple_rep for per-axis parameters: one value is repeated
/// `n` times, `n` values are kept; any other length throws ShapeError
/// naming `field` and the expected length.
std::vector<double> perAxis(const std::vector<double>& values, size_t n, const std::string& field);

/// MONAI's fall_back_tuple for roi_size: one value is repeated over the axes;
/// a non-positive entry (-1, 0, or None read as -1) takes the image size of
/// that axis. Throws ShapeError naming `field` when the length is neither 1
/// nor imageSize.size().
std::vector<int64_t> resolveRoi(const std::vector<int64_t>& roi,
                                const std::vector<int64_t>& imageSize, const std::string& field);

/// Step between window starts per axis: roi when roi == image size, else
/// int(roi * (1 - overlap)) computed in double, at least 1.
/// imageSize must already be >= roi on every axis (the padded size).
std::vector<int64_t> scanInterval(const std::vector<int64_t>& imageSize,
                                  const std::vector<int64_t>& roi,
                                  const std::vector<double>& overlap);

/// The window starts along each axis (dense_patch_slices): idx * interval
/// for idx = 0 .. the first idx whose window reaches the end, each shifted
/// back so that the window stays inside the image.
std::vector<std::vector<int64_t>> axisStarts(const std::vector<int64_t>& imageSize,
                                             const std::vector<int64_t>& roi,
                                             const std::vector<int64_t>& interval);

/// Every window's start, in MONAI's order (meshgrid "ij": the last axis
/// varies fastest).
std::vector<std::vector<int64_t>> windowStarts(const std::vector<int64_t>& imageSize,
                                               const std::vector<int64_t>& roi,
                                               const std::vector<int64_t>& interval);

/// compute_importance_map: shape `roi`, `dtype`, on `device`. "constant":
/// ones. "gaussian": the product over axes of exp(-x^2 / (2 sigma^2)),
/// x = -(n-1)/2 .. (n-1)/2, sigma = n * sigmaScale[axis] (one value or one
/// per axis), computed in float32 with the same ATen operations as MONAI so
/// that the map is bit-identical; then clamped below at max(min(map), 1e-3).
/// Throws ConfigError naming `field` + ".mode" / ".sigma_scale" for an
/// unknown mode or a non-positive sigma.
at::Tensor importanceMap(const std::vector<int64_t>& roi, const std::string& mode,
                         const std::vector<double>& sigmaScale, at::ScalarType dtype,
                         c10::Device device, const std::string& field);

} // namespace medulla
