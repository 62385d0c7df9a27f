#pragma once
/// CUDA twins of the resampling kernels (kernels/cpu/Resample.h), behind a
/// plain interface of raw device pointers so that nvcc never parses
/// LibTorch. Called by kernels/cpu/Resample.cpp for CUDA tensors; the
/// semantics (kernels/cpu/ResampleSampler.h) are shared with the CPU code.
/// All pointers are device pointers; launches go to the default stream.
/// Each function returns a cudaError_t value (0 = success).

#include <stdint.h>

namespace medulla::kernels::cuda {

struct ResampleParams {
    int64_t channels = 1, nx = 1, ny = 1, nz = 1; ///< input (C, X, Y, Z); 2D: Z = 1
    int64_t ox = 1, oy = 1, oz = 1;               ///< output spatial shape
    double m[4][4] = {};                          ///< output index -> input index
    int interp = 1;                               ///< sampling::InterpCode
    int padding = 1;                              ///< sampling::PaddingCode
    bool alignCorners = false;
    bool roundHalfAway = false; ///< nearest on 3D images (see Resample.h)
};

/// out (C, ox, oy, oz) float32 = in sampled at m * (i, j, k, 1).
int resampleAffineF32(const float* in, float* out, const ResampleParams& p);
int resampleAffineF64(const double* in, float* out, const ResampleParams& p);

/// out (C, n) float32 = in sampled at grid (D, n) float64, n = ox*oy*oz;
/// D = 3, or 2 when nz == 1 and twoD is set.
int resampleGridF32(const float* in, const double* grid, float* out, const ResampleParams& p,
                    bool twoD);
int resampleGridF64(const double* in, const double* grid, float* out, const ResampleParams& p,
                    bool twoD);

/// Human-readable message for a returned error code.
const char* errorString(int code);

} // namespace medulla::kernels::cuda
