#pragma once
/// MONAI's intensity array transforms on channel-first tensors (C, ...),
/// exactly as MONAI 1.3 computes them (checked by the transforms group of
/// ../shared/parity through medulla-parity). Results are float32.

#include <ATen/Tensor.h>

#include <optional>
#include <vector>

namespace medulla {

/// ScaleIntensityRange: (x - a_min) / (a_max - a_min), then to [b_min,
/// b_max] when both are given, clipped there if `clip`. a_min == a_max:
/// x - a_min (+ b_min).
at::Tensor scaleIntensityRange(const at::Tensor& x, double aMin, double aMax,
                               std::optional<double> bMin, std::optional<double> bMax, bool clip);

/// ScaleIntensity: to [minv, maxv] over the whole image (or each channel);
/// a constant image becomes x * minv; with minv/maxv unset, x * (1 + factor).
at::Tensor scaleIntensity(const at::Tensor& x, std::optional<double> minv,
                          std::optional<double> maxv, std::optional<double> factor,
                          bool channelWise);

/// NormalizeIntensity: (x - subtrahend) / divisor, by default the mean and
/// the population standard deviation of the image (or of each channel, or
/// of the non-zero voxels); a zero divisor counts as 1. With `nonzero`,
/// zero voxels stay zero.
at::Tensor normalizeIntensity(const at::Tensor& x, const std::vector<double>& subtrahend,
                              const std::vector<double>& divisor, bool nonzero, bool channelWise);

/// ThresholdIntensity: keep values above (or below) `threshold`, others become `cval`.
at::Tensor thresholdIntensity(const at::Tensor& x, double threshold, bool above, double cval);

} // namespace medulla
