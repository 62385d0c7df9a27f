#include "engine/transforms/EnsembleOps.h"

#include <ATen/ATen.h>

#include <string>

#include "engine/core/Error.h"

namespace medulla {

namespace {

std::string shapeText(at::IntArrayRef sizes) {
    std::string s = "[";
    for (size_t i = 0; i < sizes.size(); ++i)
        s += (i ? ", " : "") + std::to_string(sizes[i]);
    return s + "]";
}

at::Tensor convertBack(const at::Tensor& out, at::ScalarType dtype) {
    return out.scalar_type() == dtype ? out : out.to(dtype);
}

} // namespace

at::Tensor stackEnsembleItems(const std::vector<at::Tensor>& items, const char* op) {
    const std::string field = std::string(op) + ".keys";
    if (items.empty())
        throw ShapeError("needs the predictions of at least one model", {}, field);
    std::string shapes;
    bool same = true;
    for (const auto& t : items) {
        if (!t.defined())
            throw ShapeError("a prediction is empty", {}, field);
        same = same && t.sizes() == items[0].sizes();
        shapes += (shapes.empty() ? "" : ", ") + shapeText(t.sizes());
    }
    if (!same)
        throw ShapeError("the predictions must have one shape, got " + shapes, {}, field);
    return at::stack(items);
}

at::Tensor meanEnsemble(const at::Tensor& stacked, const at::Tensor& weights) {
    if (!stacked.defined() || stacked.dim() < 1)
        throw ShapeError("expected predictions stacked along dim 0 (E, ...)", {},
                         "MeanEnsemble.keys");
    const at::ScalarType dtype = stacked.scalar_type();
    at::Tensor x = at::isFloatingType(dtype) ? stacked : stacked.to(at::kFloat);
    if (weights.defined() && weights.numel() > 0) {
        at::Tensor w = weights.to(stacked.device(), at::kFloat);
        bool fits = w.dim() <= x.dim();
        for (int64_t d = 0; fits && d < w.dim(); ++d)
            fits = w.size(d) == x.size(d) || w.size(d) == 1;
        if (!fits)
            throw ShapeError("weights " + shapeText(w.sizes()) +
                                 " do not fit the stacked predictions " + shapeText(x.sizes()) +
                                 " (one weight per model, or per model and channel, ...)",
                             {}, "MeanEnsemble.weights");
        std::vector<int64_t> shape = w.sizes().vec();
        shape.resize(size_t(x.dim()), 1);
        w = w.reshape(shape);
        const at::Tensor norm = w.mean(0, /*keepdim=*/true);
        if ((norm == 0).any().item<bool>())
            throw ConfigError("the weights of the models average to 0 for some channel", {},
                              "MeanEnsemble.weights");
        x = x * w / norm;
    }
    return convertBack(x.mean(0), dtype);
}

at::Tensor meanEnsemble(const std::vector<at::Tensor>& items, const at::Tensor& weights) {
    return meanEnsemble(stackEnsembleItems(items, "MeanEnsemble"), weights);
}

at::Tensor voteEnsemble(const at::Tensor& stacked, std::optional<int64_t> numClasses) {
    if (!stacked.defined() || stacked.dim() < 1)
        throw ShapeError("expected predictions stacked along dim 0 (E, ...)", {},
                         "VoteEnsemble.keys");
    const at::ScalarType dtype = stacked.scalar_type();
    at::Tensor x = stacked;
    bool keepChannel = true;
    if (numClasses) {
        if (*numClasses < 1)
            throw ConfigError("must be >= 1, got " + std::to_string(*numClasses), {},
                              "VoteEnsemble.num_classes");
        if (!(x.dim() > 1 && x.size(1) > 1)) { // label maps: one-hot along dim 1
            keepChannel = x.dim() > 1;
            at::Tensor labels = (x.dim() == 1 ? x.unsqueeze(1) : x).to(at::kLong);
            if (labels.numel() > 0 &&
                (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= *numClasses))
                throw ConfigError("the labels must lie in [0, " + std::to_string(*numClasses) +
                                      "), got values in [" +
                                      std::to_string(labels.min().item<int64_t>()) + ", " +
                                      std::to_string(labels.max().item<int64_t>()) + "]",
                                  {}, "VoteEnsemble.num_classes");
            std::vector<int64_t> shape = labels.sizes().vec();
            shape[1] = *numClasses;
            x = at::zeros(shape, labels.options().dtype(at::kFloat)).scatter_(1, labels, 1.0);
        }
    }
    const at::Tensor mean = x.to(at::kFloat).mean(0);
    const at::Tensor out = numClasses ? mean.argmax(0, keepChannel) : at::round(mean);
    return convertBack(out, dtype);
}

at::Tensor voteEnsemble(const std::vector<at::Tensor>& items, std::optional<int64_t> numClasses) {
    return voteEnsemble(stackEnsembleItems(items, "VoteEnsemble"), numClasses);
}

} // namespace medulla
