#pragma once
/// Axis profiles of a foreground mask, the hot part of CropForeground: for
/// each spatial axis, which indices hold at least one voxel where any
/// channel is above a threshold. One multi-threaded pass, no mask tensor.

#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

namespace medulla::kernels {

/// image: (C, *spatial), 1..3 spatial axes, any real or bool dtype, CPU.
/// Returns one vector per spatial axis, of that axis' length: 1 where the
/// slice through that index has a voxel with image[c] > threshold for some c.
std::vector<std::vector<uint8_t>> foregroundProfiles(const at::Tensor& image, double threshold);

} // namespace medulla::kernels
