#include "engine/networks/FastConvTranspose.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace medulla {

namespace {

/// Along one spatial dimension, what output phase rho (outputs o = s*u + rho)
/// needs. The full (uncropped) transposed convolution puts input i, tap t at
/// m = s*i + d*t, and output o is m = o + p. With m = s*q + r, the taps that
/// reach residue r are those with d*t = r (mod s): t = first + j*step, and
/// they read input i = q - e_t with e_t = (d*t - r)/s growing by `dilation`
/// per tap. Flipped, that is a regular convolution of the input padded by
/// (padLeft, padRight), dilation `dilation`, giving `length` outputs.
struct Phase {
    int64_t length = 0;    ///< outputs of this phase, ceil((lout - rho)/s)
    int64_t taps = 0;      ///< kernel taps reaching this phase; 0: bias only
    int64_t flipStart = 0; ///< first tap in the flipped kernel
    int64_t step = 1;      ///< tap step in the kernel
    int64_t dilation = 1;  ///< dilation of the sub-convolution
    int64_t padLeft = 0;   ///< input padding (negative: crop)
    int64_t padRight = 0;
};

Phase planPhase(int64_t n, int64_t k, int64_t s, int64_t p, int64_t d, int64_t lout, int64_t rho) {
    Phase ph;
    ph.length = lout > rho ? (lout - rho + s - 1) / s : 0;
    const int64_t c = (rho + p) / s, r = (rho + p) % s;
    const int64_t g = std::gcd(s, d);
    ph.step = s / g;
    ph.dilation = d / g;
    int64_t first = -1;
    for (int64_t t = 0; t < std::min(k, ph.step); ++t)
        if ((d * t) % s == r) {
            first = t;
            break;
        }
    if (first < 0 || ph.length == 0)
        return ph;
    ph.taps = (k - 1 - first) / ph.step + 1;
    const int64_t last = first + (ph.taps - 1) * ph.step;
    const int64_t eLast = (d * last - r) / s;
    ph.flipStart = k - 1 - last;
    ph.padLeft = eLast - c;
    ph.padRight = ph.length - n - ph.padLeft + ph.dilation * (ph.taps - 1);
    return ph;
}

/// `v` with one entry per spatial dimension, or empty if it has neither one
/// nor `dims` entries.
std::vector<int64_t> perDim(at::IntArrayRef v, int64_t dims) {
    if (int64_t(v.size()) == dims)
        return v.vec();
    if (v.size() == 1)
        return std::vector<int64_t>(static_cast<size_t>(dims), v[0]);
    return {};
}

/// All phases as one regular convolution: every phase's sub-kernel sits in a
/// common window (zero elsewhere) and the phases become extra output
/// channels, ordered [groups, phases, cout/groups]. Undefined if a
/// sub-convolution is dilated or a dimension has no phase with taps.
at::Tensor fusedPhases(const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias,
                       const std::vector<std::vector<Phase>>& plans, const std::vector<int64_t>& s,
                       const std::vector<int64_t>& lout, const std::vector<int64_t>& umax,
                       int64_t groups) {
    const int64_t dims = x.dim() - 2, batch = x.size(0), cout = w.size(0);
    std::vector<int64_t> minOff(static_cast<size_t>(dims)), window(static_cast<size_t>(dims));
    for (int64_t i = 0; i < dims; ++i) {
        int64_t lo = 0, hi = -1;
        bool any = false;
        for (const Phase& ph : plans[i]) {
            if (ph.taps == 0)
                continue;
            if (ph.dilation != 1)
                return {};
            lo = any ? std::min(lo, -ph.padLeft) : -ph.padLeft;
            hi = any ? std::max(hi, -ph.padLeft + ph.taps - 1) : -ph.padLeft + ph.taps - 1;
            any = true;
        }
        if (!any)
            return {};
        minOff[i] = lo;
        window[i] = hi - lo + 1;
    }
    int64_t nPhases = 1;
    for (int64_t i = 0; i < dims; ++i)
        nPhases *= s[i];

    std::vector<at::Tensor> kernels;
    std::vector<int64_t> rho(static_cast<size_t>(dims), 0), zeroShape = {cout, w.size(1)};
    for (int64_t i = 0; i < dims; ++i)
        zeroShape.push_back(window[i]);
    for (int64_t index = 0; index < nPhases; ++index) {
        int64_t rest = index;
        for (int64_t i = dims - 1; i >= 0; --i) {
            rho[i] = rest % s[i];
            rest /= s[i];
        }
        at::Tensor sub = w;
        std::vector<int64_t> pads(static_cast<size_t>(2 * dims), 0);
        bool empty = false;
        for (int64_t i = 0; i < dims && !empty; ++i) {
            const Phase& ph = plans[i][rho[i]];
            empty = ph.taps == 0;
            if (empty)
                break;
            sub =
                sub.slice(2 + i, ph.flipStart, ph.flipStart + (ph.taps - 1) * ph.step + 1, ph.step);
            const int64_t left = -ph.padLeft - minOff[i];
            pads[static_cast<size_t>(2 * (dims - 1 - i))] = left;
            pads[static_cast<size_t>(2 * (dims - 1 - i) + 1)] = window[i] - ph.taps - left;
        }
        kernels.push_back(empty ? at::zeros(zeroShape, w.options())
                                : at::constant_pad_nd(sub, pads, 0));
    }
    // [groups, phases, cout/groups, cin/groups, *window] -> conv weight
    std::vector<int64_t> perGroup = {groups, cout / groups, w.size(1)},
                         fusedShape = {-1, w.size(1)};
    for (int64_t i = 0; i < dims; ++i) {
        perGroup.push_back(window[i]);
        fusedShape.push_back(window[i]);
    }
    std::vector<at::Tensor> grouped;
    for (const at::Tensor& k : kernels)
        grouped.push_back(k.view(perGroup));
    const at::Tensor fusedWeight = at::stack(grouped, 1).reshape(fusedShape);
    at::Tensor fusedBias;
    if (bias.defined())
        fusedBias = bias.view({groups, 1, cout / groups})
                        .expand({groups, nPhases, cout / groups})
                        .reshape({-1});

    std::vector<int64_t> convPad, pads(static_cast<size_t>(2 * dims), 0),
        ones(static_cast<size_t>(dims), 1), zeros(static_cast<size_t>(dims), 0);
    bool crop = false;
    for (int64_t i = 0; i < dims; ++i) {
        const int64_t left = -minOff[i], right = umax[i] - x.size(2 + i) - left + window[i] - 1;
        const int64_t sym = std::max<int64_t>(0, std::min(left, right));
        convPad.push_back(sym);
        pads[static_cast<size_t>(2 * (dims - 1 - i))] = left - sym;
        pads[static_cast<size_t>(2 * (dims - 1 - i) + 1)] = right - sym;
        crop = crop || left != sym || right != sym;
    }
    const at::Tensor in = crop ? at::constant_pad_nd(x, pads, 0) : x;
    at::Tensor y = at::convolution(in, fusedWeight, fusedBias, ones, convPad, ones,
                                   /*transposed=*/false, zeros, groups);

    // [batch, groups, s_0.., cout/groups, u_0..] -> [batch, groups, cout/groups, u_0, s_0, ..]
    std::vector<int64_t> split = {batch, groups}, order = {0, 1, 2 + dims}, merged = {batch, cout};
    for (int64_t i = 0; i < dims; ++i)
        split.push_back(s[i]);
    split.push_back(cout / groups);
    for (int64_t i = 0; i < dims; ++i) {
        split.push_back(umax[i]);
        order.push_back(3 + dims + i);
        order.push_back(2 + i);
        merged.push_back(umax[i] * s[i]);
    }
    y = y.view(split).permute(order).reshape(merged);
    for (int64_t i = 0; i < dims; ++i)
        if (merged[2 + i] != lout[i])
            y = y.narrow(2 + i, 0, lout[i]);
    return y;
}

at::Tensor reference(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                     at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef outputPadding,
                     at::IntArrayRef dilation, int64_t groups) {
    return at::convolution(x, weight, bias, stride, padding, dilation, /*transposed=*/true,
                           outputPadding, groups);
}

} // namespace

at::Tensor convTranspose(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                         at::IntArrayRef stride, at::IntArrayRef padding,
                         at::IntArrayRef outputPadding, at::IntArrayRef dilation, int64_t groups,
                         ConvTransposeMethod method) {
    auto fallback = [&] {
        return reference(x, weight, bias, stride, padding, outputPadding, dilation, groups);
    };
    // Anything unusual or invalid goes to ATen, which computes it or throws.
    if (method == ConvTransposeMethod::ATen || !x.defined() || !weight.defined() ||
        x.layout() != at::kStrided || weight.layout() != at::kStrided || x.is_quantized() ||
        weight.is_quantized())
        return fallback();
    const int64_t dims = x.dim() - 2;
    if (dims < 1 || dims > 3 || weight.dim() != x.dim() || groups < 1 || x.numel() == 0)
        return fallback();
    const int64_t batch = x.size(0), cin = x.size(1);
    if (weight.size(0) != cin || cin % groups != 0)
        return fallback();
    const int64_t cout = weight.size(1) * groups;
    if (cout == 0 || (bias.defined() && (bias.dim() != 1 || bias.size(0) != cout)))
        return fallback();
    const auto s = perDim(stride, dims), p = perDim(padding, dims),
               op = perDim(outputPadding, dims), d = perDim(dilation, dims);
    if (s.empty() || p.empty() || op.empty() || d.empty())
        return fallback();
    std::vector<int64_t> lout(static_cast<size_t>(dims)), umax(static_cast<size_t>(dims));
    for (int64_t i = 0; i < dims; ++i) {
        const int64_t k = weight.size(2 + i);
        if (s[i] < 1 || d[i] < 1 || p[i] < 0 || op[i] < 0 || op[i] >= std::max(s[i], d[i]) || k < 1)
            return fallback();
        lout[i] = (x.size(2 + i) - 1) * s[i] - 2 * p[i] + d[i] * (k - 1) + op[i] + 1;
        if (lout[i] < 1)
            return fallback();
        umax[i] = (lout[i] + s[i] - 1) / s[i];
    }

    // Regular-convolution weight [cout, cin/groups, *k], flipped in space.
    std::vector<int64_t> wShape = {groups, cin / groups, cout / groups};
    std::vector<int64_t> convShape = {cout, cin / groups};
    std::vector<int64_t> spatial;
    for (int64_t i = 0; i < dims; ++i) {
        wShape.push_back(weight.size(2 + i));
        convShape.push_back(weight.size(2 + i));
        spatial.push_back(2 + i);
    }
    const at::Tensor w = weight.reshape(wShape).transpose(1, 2).reshape(convShape).flip(spatial);

    // Phases in row-major order of (rho_0, ..., rho_{dims-1}).
    std::vector<std::vector<Phase>> plans(static_cast<size_t>(dims));
    int64_t nPhases = 1;
    for (int64_t i = 0; i < dims; ++i) {
        for (int64_t rho = 0; rho < s[i]; ++rho)
            plans[i].push_back(
                planPhase(x.size(2 + i), weight.size(2 + i), s[i], p[i], d[i], lout[i], rho));
        nPhases *= s[i];
    }

    if (method == ConvTransposeMethod::FusedPhases) {
        at::Tensor y = fusedPhases(x, w, bias, plans, s, lout, umax, groups);
        if (y.defined())
            return y;
    }

    std::vector<at::Tensor> outputs;
    outputs.reserve(static_cast<size_t>(nPhases));
    std::vector<int64_t> rho(static_cast<size_t>(dims), 0);
    for (int64_t index = 0; index < nPhases; ++index) {
        int64_t rest = index;
        for (int64_t i = dims - 1; i >= 0; --i) {
            rho[i] = rest % s[i];
            rest /= s[i];
        }
        std::vector<int64_t> shape = {batch, cout}, convPad, dil, ones,
                             pads(static_cast<size_t>(2 * dims));
        bool empty = false, crop = false;
        at::Tensor sub = w;
        for (int64_t i = 0; i < dims; ++i) {
            const Phase& ph = plans[i][rho[i]];
            shape.push_back(ph.length);
            empty = empty || ph.taps == 0;
            if (ph.taps == 0)
                continue;
            // Symmetric padding goes to the convolution, the rest to the input.
            const int64_t sym = std::max<int64_t>(0, std::min(ph.padLeft, ph.padRight));
            convPad.push_back(sym);
            pads[static_cast<size_t>(2 * (dims - 1 - i))] = ph.padLeft - sym;
            pads[static_cast<size_t>(2 * (dims - 1 - i) + 1)] = ph.padRight - sym;
            crop = crop || ph.padLeft != sym || ph.padRight != sym;
            dil.push_back(ph.dilation);
            ones.push_back(1);
            sub =
                sub.slice(2 + i, ph.flipStart, ph.flipStart + (ph.taps - 1) * ph.step + 1, ph.step);
        }
        at::Tensor y;
        if (empty) {
            std::vector<int64_t> bshape(shape.size(), 1);
            bshape[1] = cout;
            y = bias.defined() ? bias.reshape(bshape).expand(shape) : at::zeros(shape, x.options());
        } else {
            const at::Tensor in = crop ? at::constant_pad_nd(x, pads, 0) : x;
            std::vector<int64_t> zeros(static_cast<size_t>(dims), 0);
            y = at::convolution(in, sub, bias, ones, convPad, dil, /*transposed=*/false, zeros,
                                groups);
        }
        if (nPhases > 1) {
            // Pad short phases (lout not a multiple of s) to a common length.
            std::vector<int64_t> grow(static_cast<size_t>(2 * dims), 0);
            bool short_ = false;
            for (int64_t i = 0; i < dims; ++i) {
                grow[static_cast<size_t>(2 * (dims - 1 - i) + 1)] = umax[i] - shape[2 + i];
                short_ = short_ || umax[i] != shape[2 + i];
            }
            if (short_)
                y = at::constant_pad_nd(y, grow, 0);
        }
        outputs.push_back(y);
    }
    if (nPhases == 1)
        return outputs.front();

    // [batch, cout, s_0.., u_0..] -> [batch, cout, u_0, s_0, u_1, s_1, ..] -> interleaved.
    std::vector<int64_t> stacked = {batch, cout}, order = {0, 1}, merged = {batch, cout};
    for (int64_t i = 0; i < dims; ++i)
        stacked.push_back(s[i]);
    for (int64_t i = 0; i < dims; ++i) {
        stacked.push_back(umax[i]);
        order.push_back(2 + dims + i);
        order.push_back(2 + i);
        merged.push_back(umax[i] * s[i]);
    }
    at::Tensor y = at::stack(outputs, 2).view(stacked).permute(order).reshape(merged);
    for (int64_t i = 0; i < dims; ++i)
        if (merged[2 + i] != lout[i])
            y = y.narrow(2 + i, 0, lout[i]);
    return y;
}

} // namespace medulla
