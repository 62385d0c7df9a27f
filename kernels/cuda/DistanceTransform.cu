// CUDA twin of cpu/DistanceTransform.cpp (see DistanceTransformCuda.h).
#include "kernels/cuda/DistanceTransformCuda.h"

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace medulla::kernels::cuda {
namespace {

/// Felzenszwalb-Huttenlocher lower envelope of one line per thread, lines
/// [first, first + count) of the (outer, n, inner) array.
__global__ void edtPassKernel(double* data, int64_t n, int64_t inner, double spacing, int64_t first,
                              int64_t count, double* fAll, int64_t* vAll, double* zAll) {
    const int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (t >= count)
        return;
    const int64_t line = first + t;
    const int64_t o = line / inner, j = line % inner;
    double* base = data + o * n * inner + j;
    double* f = fAll + t * n;
    int64_t* v = vAll + t * n;
    double* z = zAll + t * (n + 1);
    const double inf = __longlong_as_double(0x7ff0000000000000LL);
    for (int64_t i = 0; i < n; ++i)
        f[i] = base[i * inner];
    int64_t k = -1;
    for (int64_t q = 0; q < n; ++q) {
        if (!(f[q] < inf))
            continue;
        const double fq = f[q] + (q * spacing) * (q * spacing);
        double s = -inf;
        while (k >= 0) {
            const int64_t p = v[k];
            s = (fq - (f[p] + (p * spacing) * (p * spacing))) / (2.0 * spacing * double(q - p));
            if (s > z[k])
                break;
            --k;
        }
        if (k < 0)
            s = -inf;
        ++k;
        v[k] = q;
        z[k] = s;
        z[k + 1] = inf;
    }
    if (k < 0) {
        for (int64_t i = 0; i < n; ++i)
            base[i * inner] = inf;
        return;
    }
    int64_t m = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double x = i * spacing;
        while (z[m + 1] < x)
            ++m;
        const double dx = x - v[m] * spacing;
        base[i * inner] = dx * dx + f[v[m]];
    }
}

} // namespace

void edtPass(double* data, int64_t outer, int64_t n, int64_t inner, double spacing, double* f,
             int64_t* v, double* z, int64_t chunkLines, void* stream) {
    const int64_t lines = outer * inner;
    if (lines == 0 || n == 0)
        return;
    if (chunkLines < 1)
        throw std::runtime_error("edtPass: chunkLines must be >= 1");
    const int threads = 128;
    for (int64_t first = 0; first < lines; first += chunkLines) {
        const int64_t count = lines - first < chunkLines ? lines - first : chunkLines;
        const int blocks = int((count + threads - 1) / threads);
        edtPassKernel<<<blocks, threads, 0, static_cast<cudaStream_t>(stream)>>>(
            data, n, inner, spacing, first, count, f, v, z);
        const cudaError_t err = cudaGetLastError();
        if (err != cudaSuccess)
            throw std::runtime_error(std::string("edtPass: ") + cudaGetErrorString(err));
    }
}

} // namespace medulla::kernels::cuda
