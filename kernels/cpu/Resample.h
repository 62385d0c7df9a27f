#pragma once
/// Resampling of channel-first images at continuous voxel coordinates: the
/// kernel behind Spacing, Affine, Rotate and the elastic deformations.
///
/// Coordinates are input voxel indices in array order (0 = centre of the
/// first voxel). Interpolation and padding follow torch.nn.functional.
/// grid_sample on unnormalised coordinates, so that MONAI's results are
/// reproduced: nearest rounds halves to even for 2D images and away from
/// zero for 3D ones (torch 1.13's 2D and 3D CPU kernels differ); linear is (bi/tri)linear; zeros
/// padding gives each out-of-range tap the value 0; border clamps the
/// coordinate to [0, n-1]; reflection mirrors it about -0.5 and n-0.5
/// (alignCorners = false) or about 0 and n-1 (true), then clamps.
/// BSpline is cubic B-spline interpolation of spline coefficients computed
/// with a mirror-symmetric prefilter (scipy.ndimage's order=3); it goes
/// through every sample and reproduces cubic polynomials exactly.
///
/// Inputs may be float32 or float64 (computation in float64, output
/// float32), CPU or CUDA (CUDA tensors run the kernels in
/// kernels/cuda/Resample.cu when the build has them). CPU work is split
/// over all threads of at::parallel_for.

#include <ATen/Tensor.h>

#include <array>
#include <cstdint>
#include <vector>

namespace medulla::kernels {

enum class Interp { Nearest, Linear, BSpline };
enum class Padding { Zeros, Border, Reflection };

struct ResampleOptions {
    Interp interp = Interp::Linear;
    Padding padding = Padding::Border;
    bool alignCorners = false; ///< only changes the reflection bounds
};

/// out[c, j] = input[c] sampled at M * (j, 1) for every output index j.
/// input: (C, *in) with 2 or 3 spatial axes. indexMap: row-major 4x4
/// (3D) or 3x3 (2D) homogeneous matrix from output to input indices.
/// outShape: the output spatial shape. Returns (C, *outShape) float32 on
/// the input's device.
at::Tensor resampleAffine(const at::Tensor& input, const std::vector<int64_t>& outShape,
                          const std::vector<double>& indexMap, const ResampleOptions& options);

/// out[c, j] = input[c] sampled at grid[:, j]. grid: (D, *out) float32 or
/// float64 input indices, D = number of spatial axes, on the input's device.
at::Tensor resampleGrid(const at::Tensor& input, const at::Tensor& grid,
                        const ResampleOptions& options);

/// Cubic B-spline coefficients of each channel (mirror boundary), the
/// prefilter of Interp::BSpline; (C, *spatial) float64 out.
at::Tensor bsplineCoefficients(const at::Tensor& input);

} // namespace medulla::kernels
