#include "engine/transforms/PostOps.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "engine/core/Error.h"
#include "kernels/cpu/ConnectedComponents.h"

namespace medulla {
namespace {

void checkChannelFirst(const at::Tensor& x, const std::string& op, int64_t minSpatial = 1) {
    if (x.dim() < 1 + minSpatial || x.dim() > 4)
        throw ShapeError(op + ": expected (C, *spatial) with " + std::to_string(minSpatial) +
                         " to 3 spatial dims, got " + std::to_string(x.dim()) + " dims");
}

int checkConnectivity(std::optional<int> c, int64_t ndim, const std::string& op) {
    if (!c || *c == 0)
        return 0;
    if (*c < 1 || *c > ndim)
        throw ConfigError("must be in [1, " + std::to_string(ndim) + "], got " + std::to_string(*c),
                          {}, op + ".connectivity");
    return *c;
}

/// Non-zero labels present: channel indices with a non-zero sum when
/// one-hot, distinct values of channel 0 otherwise.
std::set<double> uniqueLabels(const at::Tensor& x, bool onehot, const std::string& op) {
    std::set<double> out;
    if (onehot) {
        const at::Tensor sums = x.to(at::kDouble).reshape({x.size(0), -1}).sum(1);
        for (int64_t c = 0; c < x.size(0); ++c)
            if (sums[c].item<double>() != 0.0)
                out.insert(double(c));
    } else {
        if (x.size(0) != 1)
            throw ShapeError(op + ": a label map that is not one-hot needs 1 channel, got " +
                             std::to_string(x.size(0)));
        const at::Tensor u = std::get<0>(at::_unique(x.to(at::kDouble).flatten()));
        const double* p = u.data_ptr<double>();
        for (int64_t i = 0; i < u.numel(); ++i)
            out.insert(p[i]);
    }
    out.erase(0.0);
    return out;
}

int64_t channelOf(double label, const at::Tensor& x, const std::string& op) {
    const auto c = int64_t(label);
    if (double(c) != label || c < 0 || c >= x.size(0))
        throw ConfigError("label " + std::to_string(label) + " is not a channel of the " +
                              std::to_string(x.size(0)) + "-channel one-hot input",
                          {}, op + ".applied_labels");
    return c;
}

/// MONAI's get_largest_connected_component_mask: the `num` largest
/// components of `fg` (all of them when there are no more than `num`).
at::Tensor largestComponents(const at::Tensor& fg, int connectivity, int64_t num) {
    const kernels::Components cc = kernels::connectedComponents(fg, connectivity);
    if (cc.count() <= num)
        return fg.to(at::kBool);
    std::vector<int32_t> order(size_t(cc.count()));
    std::iota(order.begin(), order.end(), 1);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        const int64_t sa = cc.sizes[size_t(a - 1)], sb = cc.sizes[size_t(b - 1)];
        return sa != sb ? sa > sb : a > b;
    });
    std::vector<uint8_t> keep(size_t(cc.count()) + 1, 0);
    for (int64_t k = 0; k < num; ++k)
        keep[size_t(order[size_t(k)])] = 1;
    at::Tensor out = at::zeros(fg.sizes(), at::kBool);
    const int32_t* l = cc.labels.data_ptr<int32_t>();
    bool* o = out.data_ptr<bool>();
    for (int64_t i = 0; i < out.numel(); ++i)
        o[i] = l[i] > 0 && keep[size_t(l[i])];
    return out;
}

} // namespace

const std::vector<std::string>& activationChoices() {
    static const std::vector<std::string> c = {"",        "tanh",        "relu", "sigmoid",
                                               "softmax", "log_softmax", "abs",  "exp"};
    return c;
}

at::Tensor activations(const at::Tensor& x, bool sigmoid, bool softmax, const std::string& other) {
    if (sigmoid && softmax)
        throw ConfigError("sigmoid and softmax cannot both be true", {}, "Activations.softmax");
    const auto& choices = activationChoices();
    if (std::find(choices.begin(), choices.end(), other) == choices.end())
        throw ConfigError("unknown activation \"" + other + "\"", {}, "Activations.other");
    at::Tensor y = x.to(at::kFloat);
    if (sigmoid)
        y = at::sigmoid(y);
    if (softmax)
        y = at::softmax(y, 0);
    if (other == "tanh")
        y = at::tanh(y);
    else if (other == "relu")
        y = at::relu(y);
    else if (other == "sigmoid")
        y = at::sigmoid(y);
    else if (other == "softmax")
        y = at::softmax(y, 0);
    else if (other == "log_softmax")
        y = at::log_softmax(y, 0);
    else if (other == "abs")
        y = at::abs(y);
    else if (other == "exp")
        y = at::exp(y);
    if (y.is_same(x))
        y = y.clone();
    return y.to(x.scalar_type());
}

at::Tensor asDiscrete(const at::Tensor& x, bool argmax, std::optional<int64_t> toOnehot,
                      std::optional<double> threshold, const std::string& rounding) {
    if (!rounding.empty() && rounding != "torchrounding")
        throw ConfigError("\"" + rounding + "\" is not one of: torchrounding", {},
                          "AsDiscrete.rounding");
    at::Tensor y = x;
    if (argmax)
        y = at::argmax(y, 0, /*keepdim=*/true);
    if (toOnehot) {
        if (*toOnehot < 1)
            throw ConfigError("must be a positive number of classes, got " +
                                  std::to_string(*toOnehot),
                              {}, "AsDiscrete.to_onehot");
        if (y.dim() == 0)
            y = y.reshape({1});
        if (y.size(0) != 1)
            throw ShapeError("AsDiscrete: one-hot needs a single channel, got " +
                             std::to_string(y.size(0)));
        const at::Tensor idx = y.to(at::kLong);
        if (idx.numel() > 0) {
            const int64_t lo = idx.min().item<int64_t>(), hi = idx.max().item<int64_t>();
            if (lo < 0 || hi >= *toOnehot)
                throw ShapeError("AsDiscrete: label values must lie in [0, " +
                                 std::to_string(*toOnehot) + "), got [" + std::to_string(lo) +
                                 ", " + std::to_string(hi) + "]");
        }
        std::vector<int64_t> shape = y.sizes().vec();
        shape[0] = *toOnehot;
        y = at::zeros(shape, y.options().dtype(at::kFloat)).scatter_(0, idx, 1.0);
    }
    if (threshold)
        y = y.ge(*threshold);
    if (!rounding.empty())
        y = at::round(y.to(at::kFloat));
    y = y.to(at::kFloat);
    if (y.is_same(x))
        y = y.clone();
    return y;
}

at::Tensor keepLargestConnectedComponent(const at::Tensor& x,
                                         std::optional<std::vector<double>> appliedLabels,
                                         std::optional<bool> isOnehot, bool independent,
                                         std::optional<int> connectivity, int64_t numComponents) {
    const std::string op = "KeepLargestConnectedComponent";
    checkChannelFirst(x, op);
    const int conn = checkConnectivity(connectivity, x.dim() - 1, op);
    if (numComponents < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(numComponents), {},
                          op + ".num_components");
    const bool onehot = isOnehot.value_or(x.size(0) > 1);
    std::vector<double> labels;
    if (appliedLabels) {
        labels = *appliedLabels;
    } else {
        const std::set<double> u = uniqueLabels(x, onehot, op);
        labels.assign(u.begin(), u.end());
    }
    at::Tensor out = x.clone();
    if (!onehot && out.size(0) < 1)
        return out;
    if (independent) {
        for (double label : labels) {
            at::Tensor plane = onehot ? out[channelOf(label, x, op)] : out[0];
            const at::Tensor fg = onehot ? plane.gt(0) : plane.eq(label);
            const at::Tensor mask = largestComponents(fg, conn, numComponents);
            plane.masked_fill_(fg.logical_and(mask.logical_not()), 0);
        }
        return out;
    }
    if (!onehot) {
        at::Tensor fg = at::zeros(out[0].sizes(), at::kBool);
        for (double label : labels)
            fg.logical_or_(out[0].eq(label));
        const at::Tensor mask = largestComponents(fg, conn, numComponents);
        out[0].masked_fill_(fg.logical_and(mask.logical_not()), 0);
        return out;
    }
    at::Tensor fg = at::zeros(out[0].sizes(), at::kBool);
    for (double label : labels)
        fg.logical_or_(out[channelOf(label, x, op)].eq(1));
    const at::Tensor drop =
        fg.logical_and(largestComponents(fg, conn, numComponents).logical_not());
    for (double label : labels)
        out[channelOf(label, x, op)].masked_fill_(drop, 0);
    return out;
}

at::Tensor removeSmallObjects(const at::Tensor& x, double minSize, int connectivity,
                              bool independentChannels, bool byMeasure,
                              const std::vector<double>& pixdim) {
    const std::string op = "RemoveSmallObjects";
    checkChannelFirst(x, op);
    if (x.numel() == 0 || std::get<0>(at::_unique(x.flatten())).numel() == 1)
        return x.clone();
    const int64_t sr = x.dim() - 1;
    if (byMeasure) {
        double volume = 1.0;
        if (!pixdim.empty()) {
            if (pixdim.size() != 1 && int64_t(pixdim.size()) != sr)
                throw ConfigError("needs one value or one per spatial dim", {}, op + ".pixdim");
            for (int64_t d = 0; d < sr; ++d)
                volume *= pixdim.size() == 1 ? pixdim[0] : pixdim[size_t(d)];
        }
        if (volume == 0.0)
            volume = 1.0;
        minSize = std::ceil(minSize / volume);
    }
    // skimage labels the whole array: the channel axis counts as an axis.
    const int64_t nd = x.dim();
    const int conn = int(std::clamp<int64_t>(connectivity, 1, nd));
    const bool labelled = independentChannels && x.max().item<double>() > 1.0;
    if (labelled) {
        // Already labelled: one object per value, sized by its voxel count.
        const at::Tensor lab = x.to(at::kInt).contiguous();
        if (lab.min().item<int32_t>() < 0)
            throw ShapeError(op + ": negative labels are not supported");
        const at::Tensor counts = at::bincount(lab.flatten().to(at::kLong));
        const at::Tensor small = counts.lt(minSize);
        const at::Tensor drop =
            small.index_select(0, lab.flatten().to(at::kLong)).view(lab.sizes());
        return lab.masked_fill(drop, 0).to(x.scalar_type());
    }
    const at::Tensor fg = independentChannels ? x.ne(0) : x.gt(0);
    const kernels::Components cc = kernels::connectedComponents(fg, conn);
    std::vector<uint8_t> big(size_t(cc.count()) + 1, 0);
    for (int64_t k = 0; k < cc.count(); ++k)
        big[size_t(k + 1)] = double(cc.sizes[size_t(k)]) >= minSize;
    at::Tensor keep = at::zeros(x.sizes(), at::kBool);
    const int32_t* l = cc.labels.data_ptr<int32_t>();
    bool* kp = keep.data_ptr<bool>();
    for (int64_t i = 0; i < keep.numel(); ++i)
        kp[i] = l[i] > 0 && big[size_t(l[i])];
    if (!independentChannels)
        return (x * keep.to(x.scalar_type())).to(x.scalar_type());
    return keep.to(x.scalar_type());
}

at::Tensor fillHoles(const at::Tensor& x, std::optional<std::vector<double>> appliedLabels,
                     std::optional<int> connectivity) {
    const std::string op = "FillHoles";
    checkChannelFirst(x, op);
    const int64_t nd = x.dim() - 1;
    const int conn = checkConnectivity(connectivity, nd, op);
    const bool onehot = x.size(0) > 1;
    std::set<double> labels;
    if (appliedLabels && !appliedLabels->empty())
        labels.insert(appliedLabels->begin(), appliedLabels->end());
    else
        labels = uniqueLabels(x, onehot, op);
    labels.erase(0.0);
    at::Tensor out = x.clone();
    const std::vector<int64_t> shape = x.sizes().vec();
    for (double label : labels) {
        at::Tensor plane = onehot ? out[channelOf(label, x, op)] : out[0];
        // Voxels that are not this label; those whose component reaches the
        // border are outside, the others are holes.
        const at::Tensor open = onehot ? plane.eq(0) : plane.ne(label);
        const kernels::Components cc = kernels::connectedComponents(open, conn);
        std::vector<uint8_t> outside(size_t(cc.count()) + 1, 0);
        const int32_t* l = cc.labels.data_ptr<int32_t>();
        std::vector<int64_t> c(size_t(nd), 0);
        for (int64_t i = 0; i < open.numel(); ++i) {
            bool border = false;
            for (int64_t d = 0; d < nd; ++d)
                border = border || c[size_t(d)] == 0 || c[size_t(d)] == shape[size_t(d + 1)] - 1;
            if (border)
                outside[size_t(l[i])] = 1;
            for (int64_t d = nd - 1; d >= 0; --d) {
                if (++c[size_t(d)] < shape[size_t(d + 1)])
                    break;
                c[size_t(d)] = 0;
            }
        }
        outside[0] = 1; // label voxels themselves are not holes
        at::Tensor hole = at::zeros(open.sizes(), at::kBool);
        bool* h = hole.data_ptr<bool>();
        for (int64_t i = 0; i < hole.numel(); ++i)
            h[i] = !outside[size_t(l[i])];
        if (onehot)
            plane.copy_(open.logical_not().logical_or(hole).to(plane.scalar_type()));
        else
            plane.masked_fill_(hole, label);
    }
    return out;
}

} // namespace medulla
