#include "kernels/cpu/ForegroundProfile.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <mutex>
#include <stdexcept>

namespace medulla::kernels {

std::vector<std::vector<uint8_t>> foregroundProfiles(const at::Tensor& image, double threshold) {
    if (image.dim() < 2 || image.dim() > 4)
        throw std::invalid_argument("foregroundProfiles: expected (C, *spatial) with 1-3 axes");
    const at::Tensor in = image.cpu().contiguous();
    const int64_t channels = in.size(0), dims = in.dim() - 1;
    std::vector<int64_t> n(3, 1);
    for (int64_t d = 0; d < dims; ++d)
        n[size_t(d)] = in.size(d + 1);
    const int64_t cs = n[0] * n[1] * n[2];
    std::vector<std::vector<uint8_t>> out{std::vector<uint8_t>(size_t(n[0]), 0),
                                          std::vector<uint8_t>(size_t(n[1]), 0),
                                          std::vector<uint8_t>(size_t(n[2]), 0)};
    std::mutex merge;
    AT_DISPATCH_ALL_TYPES_AND(at::kBool, in.scalar_type(), "foregroundProfiles", [&] {
        const scalar_t* p = in.data_ptr<scalar_t>();
        at::parallel_for(0, n[0], 1, [&](int64_t b, int64_t e) {
            std::vector<uint8_t> ys(size_t(n[1]), 0), zs(size_t(n[2]), 0);
            std::vector<uint8_t> xs(size_t(e - b), 0);
            for (int64_t x = b; x < e; ++x)
                for (int64_t y = 0; y < n[1]; ++y) {
                    const int64_t row = (x * n[1] + y) * n[2];
                    bool rowAny = false;
                    for (int64_t z = 0; z < n[2]; ++z) {
                        bool fg = false;
                        for (int64_t c = 0; c < channels && !fg; ++c)
                            fg = double(p[c * cs + row + z]) > threshold;
                        if (fg) {
                            zs[size_t(z)] = 1;
                            rowAny = true;
                        }
                    }
                    if (rowAny) {
                        ys[size_t(y)] = 1;
                        xs[size_t(x - b)] = 1;
                    }
                }
            std::lock_guard<std::mutex> lock(merge);
            for (int64_t x = b; x < e; ++x)
                out[0][size_t(x)] |= xs[size_t(x - b)];
            for (size_t y = 0; y < ys.size(); ++y)
                out[1][y] |= ys[y];
            for (size_t z = 0; z < zs.size(); ++z)
                out[2][z] |= zs[z];
        });
    });
    out.resize(size_t(dims));
    return out;
}

} // namespace medulla::kernels
