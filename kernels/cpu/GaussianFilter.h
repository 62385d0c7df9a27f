#pragma once
/// Separable filtering and MONAI's discrete Gaussian kernels (MONAI 1.3's
/// gaussian_1d + GaussianFilter + separable_filtering): each spatial axis is
/// cross-correlated with its own odd-length 1D kernel, the outside of the
/// image counting as zero, and the output has the input's shape.

#include <ATen/Tensor.h>

#include <string>
#include <vector>

namespace medulla::kernels {

/// How a continuous Gaussian becomes taps (MONAI's `approx`).
enum class GaussianApprox {
    Erf,       ///< "erf": integral of the Gaussian over each unit interval (default)
    Sampled,   ///< "sampled": the density at integer offsets
    ScaleSpace ///< "scalespace": discrete Gaussian exp(-t) I_n(t), t = sigma^2
};

/// "erf" | "sampled" | "scalespace" (case-insensitive); anything else
/// throws std::invalid_argument naming the accepted values.
GaussianApprox parseGaussianApprox(const std::string& name);
const char* gaussianApproxName(GaussianApprox approx);

/// MONAI's gaussian_1d: 2 * tail + 1 taps centred on tap `tail`, with
/// tail = int(max(sigma * truncated, 0.5) + 0.5); sigma in voxels (> 0,
/// its sign is ignored by "erf"). Not normalised unless `normalize`
/// (MONAI's GaussianFilter does not normalise). Throws
/// std::invalid_argument when truncated <= 0.
std::vector<float> gaussianKernel1d(double sigma, double truncated = 4.0,
                                    GaussianApprox approx = GaussianApprox::Erf,
                                    bool normalize = false);

/// x: (C, *spatial) with 1..3 spatial dims, any real dtype (computed in
/// float32), CPU or CUDA. kernels: one odd-length kernel per spatial axis
/// (or a single kernel for every axis); out[i] = sum_k w[k] x[i + k - r]
/// along each axis with r = (len - 1) / 2 and zeros outside, axes filtered
/// in order 0, 1, 2 (MONAI's order). Returns a new float32 tensor of x's
/// shape on x's device. Multi-threaded over lines (at::parallel_for);
/// CUDA tensors go to cuda/GaussianFilterCuda.h.
at::Tensor separableFilter(const at::Tensor& x, const std::vector<std::vector<float>>& kernels);

/// MONAI's GaussianFilter(spatial_dims, sigma, truncated, approx) applied
/// to the channel-first x (no batch). sigma: one value for every axis or
/// one per spatial axis (else std::invalid_argument).
at::Tensor gaussianFilter(const at::Tensor& x, const std::vector<double>& sigma,
                          GaussianApprox approx = GaussianApprox::Erf, double truncated = 4.0);

} // namespace medulla::kernels
