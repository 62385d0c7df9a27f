#pragma once
/// Array-level intensity operations behind MONAI's percentile scaling and
/// intensity augmentations, on channel-first tensors (C, *spatial). The
/// random parameters are drawn by the dictionary transforms and passed in,
/// so every function here is deterministic.

#include <ATen/Tensor.h>

#include <optional>
#include <vector>

namespace medulla {

/// numpy.percentile / torch.quantile with linear interpolation over all
/// elements: sorted s, pos = q / 100 * (n - 1), s[floor] + (s[ceil] -
/// s[floor]) * frac. q in [0, 100]; computed in float64. Throws ShapeError
/// for an empty tensor.
double percentile(const at::Tensor& x, double q);

/// ScaleIntensityRangePercentiles: ScaleIntensityRange from the image's
/// [lower, upper] percentiles to [b_min, b_max] (with `relative`, to the same
/// percentiles of [b_min, b_max]); per channel if `channelWise`. float32.
at::Tensor scaleIntensityRangePercentiles(const at::Tensor& x, double lower, double upper,
                                          std::optional<double> bMin, std::optional<double> bMax,
                                          bool clip, bool relative, bool channelWise);

/// ShiftIntensity: x + offset, cast back to x's dtype. For integer dtypes
/// `safe` clamps to the dtype's range first; otherwise values wrap around
/// (numpy's astype: 256 -> 0 for uint8).
at::Tensor shiftIntensity(const at::Tensor& x, double offset, bool safe);

/// AdjustContrast: ((x - min) / (range + 1e-7))^gamma * range + min, in
/// float32 (MONAI's arithmetic); `invertImage` negates before and after,
/// `retainStats` restores the input's mean and (unbiased) std.
at::Tensor adjustContrast(const at::Tensor& x, double gamma, bool invertImage, bool retainStats);

/// RandHistogramShift's mapping: control points `reference` -> `floating`
/// (both ascending in [0, 1], same length >= 2), scaled to the image's
/// [min, max], applied piecewise-linearly (values outside the ends map to
/// the ends). A constant image is returned unchanged. float32.
at::Tensor histogramShift(const at::Tensor& x, const std::vector<double>& reference,
                          const std::vector<double>& floating);

/// Number of polynomial coefficients RandBiasField draws: C(degree + rank, rank).
int64_t biasFieldCoeffCount(int64_t degree, int64_t rank);

/// RandBiasField's log-field over `spatialShape` (2 or 3 axes): a sum of
/// products of Legendre polynomials on linspace(-1, 1, n) per axis, with
/// `coeffs` placed as MONAI places them (2D: lower-triangular (i >= j)
/// order; 3D: every (i, j, k) with i + j + k <= degree, lexicographic).
/// float64, shaped like `spatialShape`. The image is multiplied by exp(field).
at::Tensor biasField(const std::vector<int64_t>& spatialShape, int64_t degree,
                     const std::vector<double>& coeffs);

} // namespace medulla
