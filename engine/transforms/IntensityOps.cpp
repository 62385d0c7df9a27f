#include "engine/transforms/IntensityOps.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <torch/torch.h>

#include "engine/core/Error.h"

namespace medulla {
namespace {

at::Tensor rescaleArray(const at::Tensor& x, std::optional<double> minv,
                        std::optional<double> maxv) {
    const double lo = x.min().item<double>(), hi = x.max().item<double>();
    if (lo == hi)
        return minv ? x * *minv : x;
    at::Tensor norm = (x - lo) / (hi - lo);
    if (!minv || !maxv)
        return norm;
    return norm * (*maxv - *minv) + *minv;
}

at::Tensor normalizeOne(at::Tensor x, std::optional<double> sub, std::optional<double> div,
                        bool nonzero) {
    const at::Tensor mask = nonzero ? x != 0 : torch::ones_like(x, torch::kBool);
    if (!mask.any().item<bool>())
        return x;
    const at::Tensor values = x.masked_select(mask).to(torch::kDouble);
    const double s = sub ? *sub : values.mean().item<double>();
    double d = div ? *div : values.std(/*unbiased=*/false).item<double>();
    if (d == 0.0)
        d = 1.0;
    return torch::where(mask, (x - s) / d, x);
}

} // namespace

namespace {

/// One fused multi-threaded pass over a CPU tensor for the common case
/// (a_max != a_min, b_min and b_max given): the same float32 operations,
/// in the same order, as the unfused tensor expression below.
at::Tensor scaleIntensityRangeFused(const at::Tensor& x, double aMin, double aMax, double bMin,
                                    double bMax, bool clip) {
    const at::Tensor in = x.contiguous();
    at::Tensor out = at::empty(in.sizes(), in.options().dtype(at::kFloat));
    float* o = out.data_ptr<float>();
    const float amin = float(aMin), range = float(aMax - aMin), bscale = float(bMax - bMin),
                bmin = float(bMin), lo = float(std::min(bMin, bMax)),
                hi = float(std::max(bMin, bMax));
    AT_DISPATCH_ALL_TYPES(in.scalar_type(), "scaleIntensityRange", [&] {
        const scalar_t* p = in.data_ptr<scalar_t>();
        at::parallel_for(0, in.numel(), 1 << 16, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) {
                float v = (float(p[i]) - amin) / range * bscale + bmin;
                if (clip)
                    v = std::min(hi, std::max(lo, v));
                o[i] = v;
            }
        });
    });
    return out;
}

} // namespace

at::Tensor scaleIntensityRange(const at::Tensor& x, double aMin, double aMax,
                               std::optional<double> bMin, std::optional<double> bMax, bool clip) {
    if (x.device().is_cpu() && aMax != aMin && bMin && bMax && x.scalar_type() != at::kBool &&
        x.numel() > 0)
        return scaleIntensityRangeFused(x, aMin, aMax, *bMin, *bMax, clip);
    at::Tensor img = x.to(torch::kFloat);
    if (aMax - aMin == 0.0)
        return bMin ? img - aMin + *bMin : img - aMin;
    img = (img - aMin) / (aMax - aMin);
    if (bMin && bMax) {
        img = img * (*bMax - *bMin) + *bMin;
        if (clip)
            img = img.clamp(std::min(*bMin, *bMax), std::max(*bMin, *bMax));
    }
    return img;
}

at::Tensor scaleIntensity(const at::Tensor& x, std::optional<double> minv,
                          std::optional<double> maxv, std::optional<double> factor,
                          bool channelWise) {
    at::Tensor img = x.to(torch::kFloat);
    if (minv || maxv) {
        if (!channelWise)
            return rescaleArray(img, minv, maxv);
        std::vector<at::Tensor> channels;
        for (int64_t c = 0; c < img.size(0); ++c)
            channels.push_back(rescaleArray(img[c], minv, maxv));
        return torch::stack(channels);
    }
    if (factor)
        return img * (1.0 + *factor);
    throw ConfigError("set minv and maxv, or factor", "", "ScaleIntensity");
}

at::Tensor normalizeIntensity(const at::Tensor& x, const std::vector<double>& subtrahend,
                              const std::vector<double>& divisor, bool nonzero, bool channelWise) {
    at::Tensor img = x.to(torch::kFloat);
    auto pick = [](const std::vector<double>& v, int64_t c) -> std::optional<double> {
        if (v.empty())
            return std::nullopt;
        return v.size() == 1 ? v[0] : v.at(size_t(c));
    };
    if (!channelWise) {
        if (subtrahend.size() > 1 || divisor.size() > 1)
            throw ConfigError("one subtrahend/divisor per channel needs channel_wise", "",
                              "NormalizeIntensity");
        return normalizeOne(img, pick(subtrahend, 0), pick(divisor, 0), nonzero);
    }
    for (const auto* v : {&subtrahend, &divisor})
        if (v->size() > 1 && int64_t(v->size()) != img.size(0))
            throw ConfigError("needs " + std::to_string(img.size(0)) + " values (one per channel)",
                              "", "NormalizeIntensity");
    std::vector<at::Tensor> channels;
    for (int64_t c = 0; c < img.size(0); ++c)
        channels.push_back(normalizeOne(img[c], pick(subtrahend, c), pick(divisor, c), nonzero));
    return torch::stack(channels);
}

at::Tensor thresholdIntensity(const at::Tensor& x, double threshold, bool above, double cval) {
    at::Tensor img = x.to(torch::kFloat);
    const at::Tensor keep = above ? img > threshold : img < threshold;
    return torch::where(keep, img, torch::full_like(img, cval));
}

} // namespace medulla
