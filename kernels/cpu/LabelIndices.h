#pragma once
/// Foreground/background voxel indices of a label map, the hot part of
/// positive/negative patch sampling (MONAI's map_binary_to_indices).

#include <ATen/Tensor.h>

#include <algorithm>
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

namespace medulla::kernels {

/// The same foreground/background sets as mapLabelIndices without building
/// the index lists: one counting pass (per chunk), then the k-th index of
/// either set (ascending order) by a search over chunk counts and a scan of
/// one chunk. For sampling a few centres from big volumes. Keeps references
/// to the tensors it was given (they must outlive it, unmodified).
class LabelSampler {
public:
    LabelSampler(const at::Tensor& label, const at::Tensor& image = {},
                 double imageThreshold = 0.0);
    int64_t foregroundCount() const { return fgOffset_.back(); }
    int64_t backgroundCount() const { return bgOffset_.back(); }
    /// Flat index of the k-th foreground (or background) voxel, 0 <= k < count.
    int64_t select(int64_t k, bool foreground) const;

private:
    bool isForeground(int64_t i) const;
    bool isBackground(int64_t i) const;
    at::Tensor label_, image_; // contiguous float32 CPU copies or views
    const float* l_ = nullptr;
    const float* img_ = nullptr;
    int64_t n_ = 0, channels_ = 0;
    double threshold_ = 0;
    std::vector<int64_t> fgOffset_, bgOffset_; // prefix sums per chunk
};

} // namespace medulla::kernels
