#pragma once
/// Exact Euclidean distance transform (scipy.ndimage.distance_transform_edt
/// semantics) by Felzenszwalb & Huttenlocher's separable lower-envelope
/// algorithm: one 1D pass per spatial axis, each exact, so the result is the
/// exact distance on anisotropic grids too. Used by the distance metrics
/// (Hausdorff, surface distance) as well as by transforms.

#include <ATen/Tensor.h>

#include <vector>

namespace medulla::kernels {

/// mask: (*batch, *spatial), any dtype; non-zero voxels are foreground.
/// The last `spatialDims` dims (1..3; 0 = every dim, which must then be
/// 1..3) are spatial, leading dims are independent images.
/// spacing: one value per spatial axis in physical units (e.g. mm), or one
/// value for all, or empty for 1; every value must be > 0.
/// Returns a float64 tensor of mask's shape on mask's device: for each
/// voxel the distance to the nearest zero voxel of its image (0 on zero
/// voxels); +inf everywhere in an image without any zero voxel.
/// CPU: multi-threaded over lines (at::parallel_for); CUDA tensors go to
/// cuda/DistanceTransformCuda.h. Throws std::invalid_argument on bad
/// arguments.
at::Tensor distanceTransformEdt(const at::Tensor& mask, const std::vector<double>& spacing = {},
                                int spatialDims = 0);

/// The same, squared (no square root taken; exact on integer grids).
at::Tensor squaredDistanceTransformEdt(const at::Tensor& mask,
                                       const std::vector<double>& spacing = {},
                                       int spatialDims = 0);

/// The 1D kernel of every pass, exposed for tests and other kernels:
/// out[i] = min_j f[j] + (spacing (i - j))^2 over the j with finite f[j]
/// (+inf when there is none). f and out hold n values each (may not
/// alias); v (n ints) and z (n + 1 doubles) are scratch.
void lowerEnvelope1d(const double* f, double* out, int64_t n, double spacing, int64_t* v,
                     double* z);

} // namespace medulla::kernels
