#include "kernels/cpu/LabelIndices.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
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

namespace medulla::kernels {

namespace {
constexpr int64_t kChunk = 1 << 14;
}

LabelSampler::LabelSampler(const at::Tensor& label, const at::Tensor& image, double imageThreshold)
    : threshold_(imageThreshold) {
    label_ = label.to(at::kCPU, at::kFloat).contiguous().reshape({-1});
    n_ = label_.numel();
    l_ = label_.data_ptr<float>();
    if (image.defined()) {
        image_ = image.to(at::kCPU, at::kFloat).contiguous().reshape({image.size(0), -1});
        if (image_.size(1) != n_)
            throw std::invalid_argument("image and label have different spatial sizes");
        img_ = image_.data_ptr<float>();
        channels_ = image_.size(0);
    }
    const int64_t chunks = (n_ + kChunk - 1) / kChunk;
    std::vector<int64_t> fg(size_t(chunks), 0), bg(size_t(chunks), 0);
    at::parallel_for(0, chunks, 1, [&](int64_t b, int64_t e) {
        for (int64_t c = b; c < e; ++c) {
            int64_t f = 0, g = 0;
            const int64_t begin = c * kChunk, end = std::min(n_, (c + 1) * kChunk);
            if (channels_ <= 1) { // branch-free, vectorisable
                const float* im = img_;
                const double t = threshold_;
                for (int64_t i = begin; i < end; ++i) {
                    const int fgv = l_[i] > 0;
                    f += fgv;
                    g += (1 - fgv) & (im ? int(double(im[i]) > t) : 1);
                }
            } else {
                for (int64_t i = begin; i < end; ++i) {
                    if (l_[i] > 0)
                        ++f;
                    else if (isBackground(i))
                        ++g;
                }
            }
            fg[size_t(c)] = f;
            bg[size_t(c)] = g;
        }
    });
    fgOffset_.assign(size_t(chunks) + 1, 0);
    bgOffset_.assign(size_t(chunks) + 1, 0);
    for (size_t c = 0; c < size_t(chunks); ++c) {
        fgOffset_[c + 1] = fgOffset_[c] + fg[c];
        bgOffset_[c + 1] = bgOffset_[c] + bg[c];
    }
}

bool LabelSampler::isForeground(int64_t i) const {
    return l_[i] > 0;
}

bool LabelSampler::isBackground(int64_t i) const {
    if (l_[i] > 0)
        return false;
    if (!img_)
        return true;
    for (int64_t c = 0; c < channels_; ++c)
        if (img_[c * n_ + i] > threshold_)
            return true;
    return false;
}

int64_t LabelSampler::select(int64_t k, bool foreground) const {
    const std::vector<int64_t>& off = foreground ? fgOffset_ : bgOffset_;
    if (k < 0 || k >= off.back())
        throw std::out_of_range("LabelSampler: index out of range");
    // The chunk c with off[c] <= k < off[c + 1].
    const auto c = int64_t(std::upper_bound(off.begin(), off.end(), k) - off.begin()) - 1;
    int64_t seen = off[size_t(c)];
    for (int64_t i = c * kChunk, end = std::min(n_, (c + 1) * kChunk); i < end; ++i)
        if (foreground ? isForeground(i) : isBackground(i)) {
            if (seen == k)
                return i;
            ++seen;
        }
    throw std::logic_error("LabelSampler: inconsistent counts");
}

} // namespace medulla::kernels
