#pragma once
/// Foreground/background voxel indices of a label map, the hot part of
/// positive/negative patch sampling (MONAI's map_binary_to_indices).

#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

namespace medulla::kernels {

struct LabelIndices {
    std::vector<int64_t> foreground; ///< flat C-order spatial indices with label > 0
    std::vector<int64_t> background; ///< flat indices with label == 0 (and image > threshold)
};

/// label: (1, *spatial) or (*spatial), any real dtype, CPU. image: optional
/// (C, *spatial) with the same spatial size; when given, background voxels
/// also need any(image[c] > imageThreshold) (the foreground is not masked).
/// Indices come out sorted ascending. Multi-threaded over chunks.
LabelIndices mapLabelIndices(const at::Tensor& label, const at::Tensor& image = {},
                             double imageThreshold = 0.0);

} // namespace medulla::kernels
