#pragma once
/// One-hot encoding of label maps, as MONAI's one_hot.

#include <ATen/Tensor.h>

#include <cstdint>

namespace medulla {

/// labels: (B, 1, *spatial) integer-valued (any dtype) -> float32
/// (B, numClasses, *spatial). Throws ShapeError when the channel axis is not
/// 1 or a label lies outside [0, numClasses).
at::Tensor oneHot(const at::Tensor& labels, int64_t numClasses);

} // namespace medulla
