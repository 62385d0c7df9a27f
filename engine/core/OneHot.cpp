#include "engine/core/OneHot.h"

#include <ATen/ATen.h>

#include "engine/core/Error.h"

namespace medulla {

at::Tensor oneHot(const at::Tensor& labels, int64_t numClasses) {
    if (labels.dim() < 2 || labels.size(1) != 1)
        throw ShapeError("one-hot needs labels shaped (B, 1, *spatial)");
    at::Tensor idx = labels.to(at::kLong);
    if (idx.numel() > 0) {
        const int64_t lo = idx.min().item<int64_t>(), hi = idx.max().item<int64_t>();
        if (lo < 0 || hi >= numClasses)
            throw ShapeError("label values span [" + std::to_string(lo) + ", " +
                             std::to_string(hi) + "] but there are only " +
                             std::to_string(numClasses) + " classes");
    }
    auto sizes = labels.sizes().vec();
    sizes[1] = numClasses;
    return at::zeros(sizes, labels.options().dtype(at::kFloat)).scatter_(1, idx, 1.0);
}

} // namespace medulla
