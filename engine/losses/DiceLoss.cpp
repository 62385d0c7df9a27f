#include "engine/losses/DiceLoss.h"

#include <torch/torch.h>

#include "engine/core/OneHot.h"

namespace medulla {

DiceLoss::DiceLoss(DiceLossOptions o) : options_(std::move(o)) {
    if (options_.sigmoid() && options_.softmax())
        throw ConfigError("sigmoid and softmax are mutually exclusive", {}, "loss.softmax");
    const auto& r = options_.reduction();
    if (r != "mean" && r != "sum" && r != "none")
        throw ConfigError("must be mean, sum or none", {}, "loss.reduction");
    for (double w : options_.weight())
        if (w < 0)
            throw ConfigError("weights must be >= 0", {}, "loss.weight");
}

at::Tensor DiceLoss::operator()(const at::Tensor& inputIn, const at::Tensor& targetIn) const {
    at::Tensor input = inputIn;
    at::Tensor target = targetIn;
    if (input.dim() < 3)
        throw ShapeError("DiceLoss input must be (B, C, *spatial); got rank " +
                         std::to_string(input.dim()));
    const int64_t nCh = input.size(1);
    if (options_.sigmoid())
        input = torch::sigmoid(input);
    if (options_.softmax() && nCh > 1)
        input = torch::softmax(input, 1);
    if (options_.to_onehot_y() && nCh > 1)
        target = oneHot(target, nCh);
    if (!options_.include_background() && nCh > 1) {
        target = target.slice(1, 1);
        input = input.slice(1, 1);
    }
    if (target.sizes() != input.sizes())
        throw ShapeError("DiceLoss: target shape " + c10::str(target.sizes()) +
                         " differs from input shape " + c10::str(input.sizes()));
    target = target.to(input.scalar_type());
    std::vector<int64_t> axes;
    if (options_.batch())
        axes.push_back(0);
    for (int64_t d = 2; d < input.dim(); ++d)
        axes.push_back(d);
    at::Tensor inter = (target * input).sum(axes);
    at::Tensor groundO = options_.squared_pred() ? target.square().sum(axes) : target.sum(axes);
    at::Tensor predO = options_.squared_pred() ? input.square().sum(axes) : input.sum(axes);
    at::Tensor denom = groundO + predO;
    if (options_.jaccard())
        denom = 2.0 * (denom - inter);
    at::Tensor f = 1.0 - (2.0 * inter + options_.smooth_nr()) / (denom + options_.smooth_dr());
    const int64_t nClasses = target.size(1);
    if (!options_.weight().empty() && nClasses != 1) {
        std::vector<double> w = options_.weight();
        if (w.size() == 1)
            w.assign(size_t(nClasses), w[0]);
        if (int64_t(w.size()) != nClasses)
            throw ShapeError("DiceLoss weight has " + std::to_string(w.size()) + " entries for " +
                             std::to_string(nClasses) + " classes");
        f = f * torch::tensor(w, f.options().dtype(torch::kDouble)).to(f.scalar_type());
    }
    if (options_.reduction() == "mean")
        return f.mean();
    if (options_.reduction() == "sum")
        return f.sum();
    std::vector<int64_t> shape(f.sizes().begin(),
                               f.sizes().begin() + std::min<int64_t>(2, f.dim()));
    for (int64_t d = 2; d < input.dim(); ++d)
        shape.push_back(1);
    return f.view(shape);
}

ComponentInfo DiceLoss::info() {
    return {"DiceLoss",
            "loss",
            "Soft Dice (or Jaccard) loss.",
            {{"include_background", ParamType::Bool, true, 0, 1, {}, "keep channel 0"},
             {"to_onehot_y", ParamType::Bool, false, 0, 1, {}, "one-hot encode the target"},
             {"sigmoid", ParamType::Bool, false, 0, 1, {}, "sigmoid on the input"},
             {"softmax", ParamType::Bool, false, 0, 1, {}, "softmax on the input"},
             {"squared_pred", ParamType::Bool, false, 0, 1, {}, "squared denominator"},
             {"jaccard", ParamType::Bool, false, 0, 1, {}, "Jaccard instead of Dice"},
             {"reduction", ParamType::String, "mean", 0, 0, {"mean", "sum", "none"}, "reduction"},
             {"smooth_nr", ParamType::Float, 1e-5, 0, 1e6, {}, "numerator smoothing"},
             {"smooth_dr", ParamType::Float, 1e-5, 0, 1e6, {}, "denominator smoothing"},
             {"batch", ParamType::Bool, false, 0, 1, {}, "reduce over the batch first"},
             {"weight", ParamType::FloatList, Json::array(), 0, 1e6, {}, "class weights"}}};
}

std::shared_ptr<Loss> DiceLoss::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<DiceLoss>(DiceLossOptions()
                                          .include_background(r.boolean("include_background"))
                                          .to_onehot_y(r.boolean("to_onehot_y"))
                                          .sigmoid(r.boolean("sigmoid"))
                                          .softmax(r.boolean("softmax"))
                                          .squared_pred(r.boolean("squared_pred"))
                                          .jaccard(r.boolean("jaccard"))
                                          .reduction(r.string("reduction"))
                                          .smooth_nr(r.number("smooth_nr"))
                                          .smooth_dr(r.number("smooth_dr"))
                                          .batch(r.boolean("batch"))
                                          .weight(r.numberList("weight")));
}

Json DiceLoss::toJson() const {
    const auto& o = options_;
    return {{"name", "DiceLoss"},
            {"include_background", o.include_background()},
            {"to_onehot_y", o.to_onehot_y()},
            {"sigmoid", o.sigmoid()},
            {"softmax", o.softmax()},
            {"squared_pred", o.squared_pred()},
            {"jaccard", o.jaccard()},
            {"reduction", o.reduction()},
            {"smooth_nr", o.smooth_nr()},
            {"smooth_dr", o.smooth_dr()},
            {"batch", o.batch()},
            {"weight", o.weight()}};
}

} // namespace medulla
