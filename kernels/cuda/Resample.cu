/// CUDA resampling: one thread per output voxel; the sampling rule is the
/// CPU one (kernels/cpu/ResampleSampler.h).

#include <cuda_runtime.h>

#include "kernels/cpu/ResampleSampler.h"
#include "kernels/cuda/ResampleCuda.h"

namespace medulla::kernels::cuda {

namespace {

using namespace medulla::kernels::sampling;

struct Map {
    double m[3][4];
};

template <typename T, int I, int P>
__global__ void affineKernel(Source<T> src, bool align, Map map, int64_t ox, int64_t oy, int64_t oz,
                             float* out) {
    const int64_t n = ox * oy * oz;
    for (int64_t v = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; v < n;
         v += int64_t(gridDim.x) * blockDim.x) {
        const double k = double(v % oz), j = double((v / oz) % oy), i = double(v / (oz * oy));
        const double x = map.m[0][0] * i + map.m[0][1] * j + map.m[0][2] * k + map.m[0][3];
        const double y = map.m[1][0] * i + map.m[1][1] * j + map.m[1][2] * k + map.m[1][3];
        const double z = map.m[2][0] * i + map.m[2][1] * j + map.m[2][2] * k + map.m[2][3];
        sample<T, I, P>(src, align, x, y, z, out + v, n);
    }
}

template <typename T, int I, int P>
__global__ void gridKernel(Source<T> src, bool align, const double* grid, int64_t n, bool twoD,
                           float* out) {
    for (int64_t v = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; v < n;
         v += int64_t(gridDim.x) * blockDim.x)
        sample<T, I, P>(src, align, grid[v], grid[n + v], twoD ? 0.0 : grid[2 * n + v], out + v, n);
}

unsigned blocksFor(int64_t n) {
    const int64_t b = (n + 255) / 256;
    return static_cast<unsigned>(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

/// Launches `launch.template operator()<I, P>()` for the runtime codes.
template <typename L> int dispatch(int interp, int padding, L&& launch) {
#define MEDULLA_CASE(I, P)                                                                         \
    if (interp == I && padding == P) {                                                             \
        launch.template operator()<I, P>();                                                        \
        return static_cast<int>(cudaGetLastError());                                               \
    }
    MEDULLA_CASE(kNearest, kZeros)
    MEDULLA_CASE(kNearest, kBorder)
    MEDULLA_CASE(kNearest, kReflection)
    MEDULLA_CASE(kLinear, kZeros)
    MEDULLA_CASE(kLinear, kBorder)
    MEDULLA_CASE(kLinear, kReflection)
    MEDULLA_CASE(kBSpline, kZeros)
    MEDULLA_CASE(kBSpline, kBorder)
    MEDULLA_CASE(kBSpline, kReflection)
#undef MEDULLA_CASE
    return static_cast<int>(cudaErrorInvalidValue);
}

template <typename T> struct AffineLaunch {
    const T* in;
    float* out;
    const ResampleParams& p;
    template <int I, int P> void operator()() const {
        Map map;
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c)
                map.m[r][c] = p.m[r][c];
        const Source<T> src{in, p.channels, p.nx, p.ny, p.nz, p.roundHalfAway};
        affineKernel<T, I, P><<<blocksFor(p.ox * p.oy * p.oz), 256>>>(src, p.alignCorners, map,
                                                                      p.ox, p.oy, p.oz, out);
    }
};

template <typename T> struct GridLaunch {
    const T* in;
    const double* grid;
    float* out;
    const ResampleParams& p;
    bool twoD;
    template <int I, int P> void operator()() const {
        const int64_t n = p.ox * p.oy * p.oz;
        const Source<T> src{in, p.channels, p.nx, p.ny, p.nz, p.roundHalfAway};
        gridKernel<T, I, P><<<blocksFor(n), 256>>>(src, p.alignCorners, grid, n, twoD, out);
    }
};

} // namespace

int resampleAffineF32(const float* in, float* out, const ResampleParams& p) {
    return dispatch(p.interp, p.padding, AffineLaunch<float>{in, out, p});
}

int resampleAffineF64(const double* in, float* out, const ResampleParams& p) {
    return dispatch(p.interp, p.padding, AffineLaunch<double>{in, out, p});
}

int resampleGridF32(const float* in, const double* grid, float* out, const ResampleParams& p,
                    bool twoD) {
    return dispatch(p.interp, p.padding, GridLaunch<float>{in, grid, out, p, twoD});
}

int resampleGridF64(const double* in, const double* grid, float* out, const ResampleParams& p,
                    bool twoD) {
    return dispatch(p.interp, p.padding, GridLaunch<double>{in, grid, out, p, twoD});
}

const char* errorString(int code) {
    return cudaGetErrorString(static_cast<cudaError_t>(code));
}

} // namespace medulla::kernels::cuda
