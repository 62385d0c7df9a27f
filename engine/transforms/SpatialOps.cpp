#include "engine/transforms/SpatialOps.h"

#include <torch/torch.h>

#include "engine/core/Error.h"

namespace medulla {

Volume cropVolume(const Volume& v, const std::vector<int64_t>& start,
                  const std::vector<int64_t>& size, bool copy) {
    const auto shape = v.spatialShape();
    if (start.size() != shape.size() || size.size() != shape.size())
        throw ShapeError("crop box has " + std::to_string(size.size()) + " axes, volume has " +
                         std::to_string(shape.size()));
    at::Tensor t = v.data();
    Vec3 s0{0, 0, 0};
    for (size_t d = 0; d < shape.size(); ++d) {
        if (start[d] < 0 || size[d] < 1 || start[d] + size[d] > shape[d])
            throw ShapeError("crop box [" + std::to_string(start[d]) + ", " +
                             std::to_string(start[d] + size[d]) + ") leaves axis " +
                             std::to_string(d) + " of size " + std::to_string(shape[d]));
        t = t.narrow(int64_t(d) + 1, start[d], size[d]);
        s0[d] = double(start[d]);
    }
    Affine a = v.affine();
    const Vec3 o = a.voxelToWorld(s0);
    a(0, 3) = o[0], a(1, 3) = o[1], a(2, 3) = o[2];
    return Volume(copy ? t.contiguous() : t, a);
}

std::vector<int64_t> unravelIndex(int64_t flat, const std::vector<int64_t>& shape) {
    std::vector<int64_t> idx(shape.size());
    for (int d = int(shape.size()) - 1; d >= 0; --d) {
        idx[d] = flat % shape[d];
        flat /= shape[d];
    }
    return idx;
}

} // namespace medulla
