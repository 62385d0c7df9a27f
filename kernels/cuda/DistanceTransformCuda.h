#pragma once
/// CUDA twin of cpu/DistanceTransform: one exact lower-envelope pass of the
/// separable Euclidean distance transform on device memory. Plain C++
/// interface (no LibTorch, no CUDA headers).

#include <cstdint>

namespace medulla::kernels::cuda {

/// In place along the middle axis of a C-order (outer, n, inner) float64
/// array of squared distances (+inf = unreached): every line becomes
/// out[i] = min_j f[j] + (spacing (i - j))^2. One thread per line, lines
/// processed `chunkLines` at a time through device scratch buffers that
/// the caller owns: f (chunkLines * n doubles), v (chunkLines * n int64),
/// z (chunkLines * (n + 1) doubles). Runs on `stream` (a cudaStream_t,
/// nullptr = default stream); throws std::runtime_error on a launch error.
void edtPass(double* data, int64_t outer, int64_t n, int64_t inner, double spacing, double* f,
             int64_t* v, double* z, int64_t chunkLines, void* stream = nullptr);

} // namespace medulla::kernels::cuda
