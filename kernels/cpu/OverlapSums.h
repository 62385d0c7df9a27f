#pragma once
/// The per (sample, class) sums behind the overlap metrics (Dice, IoU,
/// confusion matrix) in one multi-threaded pass over y_pred and y, without
/// temporaries. CPU tensors of one dtype (float32, float64, uint8, bool)
/// whose spatial part is contiguous take the fused kernel (a channel slice
/// such as t[:, 1:] qualifies); anything else (CUDA, strided, mixed dtypes)
/// is computed with ATen ops on the tensors' device, with the same results.

#include <ATen/Tensor.h>

namespace medulla::kernels {

/// Which three sums to compute, per (b, c), over the spatial axes. The sums
/// reproduce MONAI's formulas for any values, not only 0/1:
enum class OverlapKind {
    Dice,      ///< [sum(y where y_pred != 0), sum(y), count(y_pred != 0)]
    IoU,       ///< [sum(y * y_pred), sum(y), sum(y_pred)]
    Confusion, ///< [count(y_pred + y == 2), count(y_pred + y == 0), sum(y)]
};

/// yPred, y: the same shape (B, C, *spatial) with zero or more spatial axes,
/// any real or bool dtype, any device. Returns (B, C, 3) float64 on the
/// inputs' device. `allowFused` = false forces the ATen path (for tests).
/// Throws std::invalid_argument when the shapes differ or the rank is < 2.
at::Tensor overlapSums(const at::Tensor& yPred, const at::Tensor& y, OverlapKind kind,
                       bool allowFused = true);

/// True when overlapSums takes the fused CPU kernel for these inputs.
bool overlapSumsFused(const at::Tensor& yPred, const at::Tensor& y);

} // namespace medulla::kernels
