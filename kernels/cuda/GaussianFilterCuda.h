#pragma once
/// CUDA twin of cpu/GaussianFilter: one separable-filter pass on device
/// memory. Plain C++ interface (no LibTorch, no CUDA headers) so that the
/// CPU translation unit can call it and nvcc never parses LibTorch.

#include <cstdint>

namespace medulla::kernels::cuda {

/// Cross-correlate along the middle axis of a C-order (outer, n, inner)
/// float array: out[o, i, j] = sum_k taps[k] in[o, i + k - r, j], with
/// r = (nTaps - 1) / 2 and zeros outside [0, n). in, out and taps are
/// device pointers (in != out); nTaps is odd. Runs on `stream`
/// (a cudaStream_t, nullptr = the default stream) and returns once the
/// kernel is queued; throws std::runtime_error on a launch error.
void correlateAxis(const float* in, float* out, int64_t outer, int64_t n, int64_t inner,
                   const float* taps, int64_t nTaps, void* stream = nullptr);

} // namespace medulla::kernels::cuda
