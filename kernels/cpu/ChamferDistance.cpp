#include "kernels/cpu/ChamferDistance.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <vector>

namespace medulla::kernels {

at::Tensor distanceTransformCdt(const at::Tensor& mask, bool chessboard) {
    const int64_t nd = mask.dim();
    if (nd < 1 || nd > 3)
        throw std::invalid_argument("distanceTransformCdt: expected 1 to 3 dims, got " +
                                    std::to_string(nd));
    if (!mask.device().is_cpu())
        throw std::invalid_argument("distanceTransformCdt: the mask must be on the CPU");
    // Padded (X, Y, Z) frame: real axes get a 1-voxel border that stays
    // "unreachable", so the sweeps need no bounds checks.
    std::array<int64_t, 3> n{1, 1, 1}, p{1, 1, 1};
    for (int64_t a = 0; a < nd; ++a) {
        n[size_t(3 - nd + a)] = mask.size(a);
        p[size_t(3 - nd + a)] = mask.size(a) + 2;
    }
    const bool real[3] = {nd == 3, nd >= 2, true};
    const int64_t sx = p[1] * p[2], sy = p[2];
    constexpr int32_t kFar = 1 << 29;
    std::vector<int32_t> d(size_t(p[0] * p[1] * p[2]), kFar);
    const at::Tensor fg = mask.ne(0).contiguous();
    const bool* m = fg.data_ptr<bool>();
    auto at3 = [&](int64_t x, int64_t y, int64_t z) {
        return (x + real[0]) * sx + (y + real[1]) * sy + (z + 1);
    };
    bool anyZero = false;
    for (int64_t x = 0, i = 0; x < n[0]; ++x)
        for (int64_t y = 0; y < n[1]; ++y)
            for (int64_t z = 0; z < n[2]; ++z, ++i)
                if (!m[i]) {
                    d[size_t(at3(x, y, z))] = 0;
                    anyZero = true;
                }
    // Neighbour offsets that come earlier in raster order (the forward mask).
    std::vector<int64_t> back;
    for (int dx = -1; dx <= 1; ++dx)
        for (int dy = -1; dy <= 1; ++dy)
            for (int dz = -1; dz <= 1; ++dz) {
                const int nonZero = (dx != 0) + (dy != 0) + (dz != 0);
                if (nonZero == 0 || (!chessboard && nonZero > 1) || (dx && !real[0]) ||
                    (dy && !real[1]))
                    continue;
                const int64_t off = dx * sx + dy * sy + dz;
                if (off < 0)
                    back.push_back(off);
            }
    auto sweep = [&](int64_t x, int64_t y, int64_t z, int sign) {
        const int64_t i = at3(x, y, z);
        int32_t best = d[size_t(i)];
        for (int64_t off : back)
            best = std::min(best, d[size_t(i + sign * off)] + 1);
        d[size_t(i)] = best;
    };
    if (anyZero) {
        for (int64_t x = 0; x < n[0]; ++x)
            for (int64_t y = 0; y < n[1]; ++y)
                for (int64_t z = 0; z < n[2]; ++z)
                    sweep(x, y, z, 1);
        for (int64_t x = n[0] - 1; x >= 0; --x)
            for (int64_t y = n[1] - 1; y >= 0; --y)
                for (int64_t z = n[2] - 1; z >= 0; --z)
                    sweep(x, y, z, -1);
    }
    at::Tensor out = at::empty(mask.sizes(), at::TensorOptions().dtype(at::kInt));
    int32_t* o = out.data_ptr<int32_t>();
    for (int64_t x = 0, i = 0; x < n[0]; ++x)
        for (int64_t y = 0; y < n[1]; ++y)
            for (int64_t z = 0; z < n[2]; ++z, ++i)
                o[i] = anyZero ? d[size_t(at3(x, y, z))] : -1;
    return out;
}

} // namespace medulla::kernels
