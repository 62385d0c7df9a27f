/// Minimum-label propagation: every foreground voxel starts with its own
/// flat index + 1 and repeatedly takes the smallest label among itself,
/// its neighbours and the label its label points to, until nothing changes.
/// The fixed point labels each component with 1 + its first voxel's index.

#include <cuda_runtime.h>

#include "kernels/cuda/ConnectedComponentsCuda.h"

namespace medulla::kernels::cuda {

namespace {

struct Offsets {
    int d[26][3];
    int count;
};

__global__ void initLabels(const uint8_t* mask, int32_t* labels, int64_t n) {
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
         i += int64_t(gridDim.x) * blockDim.x)
        labels[i] = mask[i] ? int32_t(i + 1) : 0;
}

__global__ void propagate(int32_t* labels, int64_t nx, int64_t ny, int64_t nz, Offsets off,
                          int* changed) {
    const int64_t n = nx * ny * nz;
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
         i += int64_t(gridDim.x) * blockDim.x) {
        const int32_t own = labels[i];
        if (own == 0)
            continue;
        const int64_t z = i % nz, y = (i / nz) % ny, x = i / (nz * ny);
        int32_t best = own;
        for (int k = 0; k < off.count; ++k) {
            const int64_t xx = x + off.d[k][0], yy = y + off.d[k][1], zz = z + off.d[k][2];
            if (xx < 0 || xx >= nx || yy < 0 || yy >= ny || zz < 0 || zz >= nz)
                continue;
            const int32_t l = labels[(xx * ny + yy) * nz + zz];
            if (l != 0 && l < best)
                best = l;
        }
        const int32_t jump = labels[best - 1]; // pointer jumping
        if (jump != 0 && jump < best)
            best = jump;
        if (best < own) {
            atomicMin(&labels[i], best);
            *changed = 1;
        }
    }
}

unsigned blocksFor(int64_t n) {
    const int64_t b = (n + 255) / 256;
    return static_cast<unsigned>(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

} // namespace

int labelComponents(const uint8_t* mask, int32_t* labels, int64_t nx, int64_t ny, int64_t nz,
                    const int* offsets, int count) {
    if (count < 0 || count > 26)
        return static_cast<int>(cudaErrorInvalidValue);
    Offsets off{};
    off.count = count;
    for (int k = 0; k < count; ++k)
        for (int a = 0; a < 3; ++a)
            off.d[k][a] = offsets[k * 3 + a];
    const int64_t n = nx * ny * nz;
    initLabels<<<blocksFor(n), 256>>>(mask, labels, n);
    int* changed = nullptr;
    cudaError_t err = cudaMalloc(&changed, sizeof(int));
    if (err != cudaSuccess)
        return static_cast<int>(err);
    int host = 1;
    while (host && err == cudaSuccess) {
        host = 0;
        err = cudaMemcpy(changed, &host, sizeof(int), cudaMemcpyHostToDevice);
        if (err != cudaSuccess)
            break;
        propagate<<<blocksFor(n), 256>>>(labels, nx, ny, nz, off, changed);
        err = cudaGetLastError();
        if (err == cudaSuccess)
            err = cudaMemcpy(&host, changed, sizeof(int), cudaMemcpyDeviceToHost);
    }
    cudaFree(changed);
    return static_cast<int>(err);
}

} // namespace medulla::kernels::cuda
