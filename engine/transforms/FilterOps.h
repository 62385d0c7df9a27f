#pragma once
/// MONAI's filtering array transforms on channel-first tensors (C, ...),
/// computed as MONAI 1.3 computes them (checked by the transforms group of
/// ../shared/parity through medulla-parity). Spatial dims: 1 to 3 for the
/// Gaussian filters, 2 or 3 for LabelToContour. Errors are ShapeError
/// (wrong tensor) or ConfigError (impossible parameter) naming the op.

#include <ATen/Tensor.h>

#include <string>
#include <vector>

namespace medulla {

/// GaussianSmooth: separable Gaussian filter (kernels/cpu/GaussianFilter.h)
/// of every channel, zeros outside the image. sigma in voxels, one value
/// or one per spatial dim; approx "erf" | "sampled" | "scalespace".
/// Returns float32.
at::Tensor gaussianSmooth(const at::Tensor& x, const std::vector<double>& sigma,
                          const std::string& approx = "erf");

/// GaussianSharpen: b = G(sigma1) x, out = b + alpha (b - G(sigma2) b).
/// Returns float32.
at::Tensor gaussianSharpen(const at::Tensor& x, const std::vector<double>& sigma1,
                           const std::vector<double>& sigma2, double alpha,
                           const std::string& approx = "erf");

/// LabelToContour (kernel_type "Laplace", the only one MONAI has): the
/// Laplacian 3^d x - (sum of the 3^d window), zeros outside, clamped to
/// [0, 1]; same dtype as x.
at::Tensor labelToContour(const at::Tensor& x, const std::string& kernelType = "Laplace");

} // namespace medulla
