#include "kernels/cpu/LabelIndices.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <stdexcept>

namespace medulla::kernels {

LabelIndices mapLabelIndices(const at::Tensor& label, const at::Tensor& image,
                             double imageThreshold) {
    at::Tensor lab = label.to(at::kCPU, at::kFloat).contiguous().reshape({-1});
    const int64_t n = lab.numel();
    at::Tensor valid;
    if (image.defined()) {
        at::Tensor img = image.to(at::kCPU, at::kFloat).reshape({image.size(0), -1});
        if (img.size(1) != n)
            throw std::invalid_argument("image and label have different spatial sizes");
        valid = (img > imageThreshold).any(0).contiguous();
    }
    const float* l = lab.data_ptr<float>();
    const bool* v = valid.defined() ? valid.data_ptr<bool>() : nullptr;

    // Two passes over fixed chunks: count, then fill at per-chunk offsets.
    const int64_t chunk = 1 << 16;
    const int64_t nChunks = (n + chunk - 1) / chunk;
    std::vector<int64_t> fgCount(nChunks, 0), bgCount(nChunks, 0);
    at::parallel_for(0, nChunks, 1, [&](int64_t b, int64_t e) {
        for (int64_t c = b; c < e; ++c) {
            int64_t f = 0, g = 0;
            for (int64_t i = c * chunk, end = std::min(n, (c + 1) * chunk); i < end; ++i) {
                if (l[i] > 0)
                    ++f;
                else if (!v || v[i])
                    ++g;
            }
            fgCount[c] = f;
            bgCount[c] = g;
        }
    });
    std::vector<int64_t> fgOff(nChunks + 1, 0), bgOff(nChunks + 1, 0);
    for (int64_t c = 0; c < nChunks; ++c) {
        fgOff[c + 1] = fgOff[c] + fgCount[c];
        bgOff[c + 1] = bgOff[c] + bgCount[c];
    }
    LabelIndices out;
    out.foreground.resize(fgOff[nChunks]);
    out.background.resize(bgOff[nChunks]);
    at::parallel_for(0, nChunks, 1, [&](int64_t b, int64_t e) {
        for (int64_t c = b; c < e; ++c) {
            int64_t f = fgOff[c], g = bgOff[c];
            for (int64_t i = c * chunk, end = std::min(n, (c + 1) * chunk); i < end; ++i) {
                if (l[i] > 0)
                    out.foreground[f++] = i;
                else if (!v || v[i])
                    out.background[g++] = i;
            }
        }
    });
    return out;
}

} // namespace medulla::kernels
