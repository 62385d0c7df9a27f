#include "kernels/cpu/ClassIndices.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace medulla::kernels {

std::vector<std::vector<int64_t>> mapClassIndices(const at::Tensor& label, int64_t numClasses,
                                                  const at::Tensor& image, double imageThreshold) {
    if (label.dim() < 2)
        throw std::invalid_argument("label must be channel-first (C, *spatial)");
    const int64_t channels = label.size(0);
    const bool oneHot = channels > 1;
    if (!oneHot && numClasses < 1)
        throw std::invalid_argument("a 1-channel label (class indices) needs num_classes >= 1");
    const int64_t classes = oneHot ? channels : numClasses;
    const at::Tensor lab = label.to(at::kCPU, at::kFloat).contiguous().reshape({channels, -1});
    const int64_t n = lab.size(1);
    at::Tensor valid;
    if (image.defined()) {
        const at::Tensor img = image.to(at::kCPU, at::kFloat).reshape({image.size(0), -1});
        if (img.size(1) != n)
            throw std::invalid_argument("image and label have different spatial sizes");
        valid = (img > imageThreshold).any(0).contiguous();
    }
    const float* l = lab.data_ptr<float>();
    const bool* v = valid.defined() ? valid.data_ptr<bool>() : nullptr;

    // Whether voxel i belongs to class c (one-hot: channel c is nonzero).
    auto member = [&](int64_t c, int64_t i) -> bool {
        if (v && !v[i])
            return false;
        return oneHot ? l[c * n + i] != 0.0f : l[i] == float(c);
    };

    // Two passes over fixed chunks: count per (chunk, class), then fill each
    // class at per-chunk offsets, so the output is sorted without a merge.
    const int64_t chunk = 1 << 16;
    const int64_t nChunks = (n + chunk - 1) / chunk;
    std::vector<int64_t> counts(size_t(nChunks * classes), 0);
    at::parallel_for(0, nChunks, 1, [&](int64_t b, int64_t e) {
        for (int64_t k = b; k < e; ++k) {
            int64_t* cnt = &counts[size_t(k * classes)];
            const int64_t end = std::min(n, (k + 1) * chunk);
            if (oneHot) {
                for (int64_t c = 0; c < classes; ++c)
                    for (int64_t i = k * chunk; i < end; ++i)
                        cnt[c] += member(c, i) ? 1 : 0;
            } else {
                for (int64_t i = k * chunk; i < end; ++i) {
                    if (v && !v[i])
                        continue;
                    const float x = l[i];
                    if (x >= 0 && x < float(classes) && std::floor(x) == x)
                        ++cnt[int64_t(x)];
                }
            }
        }
    });
    std::vector<std::vector<int64_t>> out(static_cast<size_t>(classes));
    std::vector<int64_t> offsets(size_t(nChunks * classes), 0);
    for (int64_t c = 0; c < classes; ++c) {
        int64_t total = 0;
        for (int64_t k = 0; k < nChunks; ++k) {
            offsets[size_t(k * classes + c)] = total;
            total += counts[size_t(k * classes + c)];
        }
        out[size_t(c)].resize(size_t(total));
    }
    at::parallel_for(0, nChunks, 1, [&](int64_t b, int64_t e) {
        for (int64_t k = b; k < e; ++k) {
            int64_t* off = &offsets[size_t(k * classes)];
            const int64_t end = std::min(n, (k + 1) * chunk);
            if (oneHot) {
                for (int64_t c = 0; c < classes; ++c)
                    for (int64_t i = k * chunk; i < end; ++i)
                        if (member(c, i))
                            out[size_t(c)][size_t(off[c]++)] = i;
            } else {
                for (int64_t i = k * chunk; i < end; ++i) {
                    if (v && !v[i])
                        continue;
                    const float x = l[i];
                    if (x >= 0 && x < float(classes) && std::floor(x) == x) {
                        const int64_t c = int64_t(x);
                        out[size_t(c)][size_t(off[c]++)] = i;
                    }
                }
            }
        }
    });
    return out;
}

} // namespace medulla::kernels
