#pragma once
/// Per-class voxel indices of a label map, the hot part of class-balanced
/// patch sampling (MONAI's map_classes_to_indices).

#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

namespace medulla::kernels {

/// label: (C, *spatial), any real dtype, CPU or not (copied to CPU).
/// C == 1: class-index map, class c = voxels whose value equals c, for c in
/// [0, numClasses) (numClasses >= 1 required). C > 1: one-hot, class c =
/// voxels where channel c is nonzero (numClasses ignored, C classes).
/// image: optional (C', *spatial) with the same spatial size; when given, a
/// voxel only counts if any(image[c'] > imageThreshold).
/// Returns one list of flat C-order spatial indices per class, each sorted
/// ascending. Multi-threaded over chunks of voxels (at::parallel_for).
/// Throws std::invalid_argument for mismatched sizes or a missing numClasses.
std::vector<std::vector<int64_t>> mapClassIndices(const at::Tensor& label, int64_t numClasses,
                                                  const at::Tensor& image = {},
                                                  double imageThreshold = 0.0);

} // namespace medulla::kernels
