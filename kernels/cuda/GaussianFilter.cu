// CUDA twin of cpu/GaussianFilter.cpp (see GaussianFilterCuda.h).
#include "kernels/cuda/GaussianFilterCuda.h"

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace medulla::kernels::cuda {
namespace {

/// One thread per output value; consecutive threads walk the contiguous
/// `inner` axis (coalesced), or the filtered axis itself when inner == 1.
__global__ void correlateAxisKernel(const float* __restrict__ in, float* __restrict__ out,
                                    int64_t outer, int64_t n, int64_t inner,
                                    const float* __restrict__ taps, int64_t nTaps) {
    const int64_t total = outer * n * inner;
    const int64_t r = (nTaps - 1) / 2;
    for (int64_t idx = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; idx < total;
         idx += int64_t(gridDim.x) * blockDim.x) {
        const int64_t j = idx % inner;
        const int64_t i = (idx / inner) % n;
        const int64_t o = idx / (inner * n);
        const float* line = in + o * n * inner + j;
        const int64_t k0 = i < r ? r - i : 0;
        const int64_t k1 = (n - i + r) < nTaps ? (n - i + r) : nTaps;
        float acc = 0.f;
        for (int64_t k = k0; k < k1; ++k)
            acc += taps[k] * line[(i + k - r) * inner];
        out[idx] = acc;
    }
}

void check(cudaError_t err, const char* what) {
    if (err != cudaSuccess)
        throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(err));
}

} // namespace

void correlateAxis(const float* in, float* out, int64_t outer, int64_t n, int64_t inner,
                   const float* taps, int64_t nTaps, void* stream) {
    const int64_t total = outer * n * inner;
    if (total == 0)
        return;
    const int threads = 256;
    const int64_t wanted = (total + threads - 1) / threads;
    const int blocks = int(wanted < 65535 * 8 ? wanted : 65535 * 8);
    correlateAxisKernel<<<blocks, threads, 0, static_cast<cudaStream_t>(stream)>>>(
        in, out, outer, n, inner, taps, nTaps);
    check(cudaGetLastError(), "correlateAxis");
}

} // namespace medulla::kernels::cuda
