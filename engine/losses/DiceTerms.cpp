#include "engine/losses/DiceTerms.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace medulla::lossterms {
namespace {

std::string shape(const at::Tensor& t) {
    return c10::str(t.sizes());
}

} // namespace

const std::vector<std::string>& activationNames() {
    static const std::vector<std::string> names = {"none", "sigmoid", "softmax",  "log_softmax",
                                                   "tanh", "relu",    "elu",      "selu",
                                                   "gelu", "silu",    "softplus", "exp"};
    return names;
}

at::Tensor activate(const at::Tensor& x, const std::string& name) {
    if (name == "none")
        return x;
    if (name == "sigmoid")
        return at::sigmoid(x);
    if (name == "softmax")
        return at::softmax(x, 1);
    if (name == "log_softmax")
        return at::log_softmax(x, 1);
    if (name == "tanh")
        return at::tanh(x);
    if (name == "relu")
        return at::relu(x);
    if (name == "elu")
        return at::elu(x);
    if (name == "selu")
        return at::selu(x);
    if (name == "gelu")
        return at::gelu(x);
    if (name == "silu")
        return at::silu(x);
    if (name == "softplus")
        return at::softplus(x);
    if (name == "exp")
        return at::exp(x);
    throw ConfigError("unknown activation \"" + name + "\"", {}, "other_act");
}

void checkPrep(const Prep& p, const std::string& context) {
    const auto& names = activationNames();
    if (std::find(names.begin(), names.end(), p.otherAct) == names.end()) {
        std::string all;
        for (const auto& n : names)
            all += (all.empty() ? "" : ", ") + n;
        throw ConfigError("\"" + p.otherAct + "\" is not one of: " + all, {},
                          context + ".other_act");
    }
    const bool other = p.otherAct != "none";
    if (int(p.sigmoid) + int(p.softmax) + int(other) > 1)
        throw ConfigError("at most one of sigmoid, softmax and other_act may be set", {},
                          context + (other ? ".other_act" : ".softmax"));
}

void checkLabels(const at::Tensor& labels, int64_t numClasses, const std::string& loss) {
    if (!labels.device().is_cpu() || labels.numel() == 0)
        return;
    const at::Tensor idx = labels.to(at::kLong);
    const int64_t lo = idx.min().item<int64_t>(), hi = idx.max().item<int64_t>();
    if (lo < 0 || hi >= numClasses)
        throw ShapeError(loss + ": target labels span [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "] but the input has " + std::to_string(numClasses) +
                         " channels (classes 0.." + std::to_string(numClasses - 1) + ")");
}

at::Tensor oneHot(const at::Tensor& labels, int64_t numClasses, at::ScalarType dtype,
                  const std::string& loss) {
    if (labels.dim() < 2 || labels.size(1) != 1)
        throw ShapeError(loss + ": to_onehot_y needs a target label map shaped (B, 1, *spatial); " +
                         "got target " + shape(labels));
    checkLabels(labels, numClasses, loss);
    const at::Tensor idx = labels.to(at::kLong);
    std::vector<int64_t> classShape(size_t(labels.dim()), 1);
    classShape[1] = numClasses;
    return idx.eq(at::arange(numClasses, idx.options()).view(classShape)).to(dtype);
}

void checkRank(const at::Tensor& input, int64_t minRank, const std::string& loss) {
    if (input.dim() < minRank)
        throw ShapeError(loss + ": input must be (B, C" + (minRank > 2 ? ", *spatial" : "") +
                         "); got input " + shape(input));
}

void checkCompound(const at::Tensor& input, const at::Tensor& target, const std::string& loss) {
    checkRank(input, 3, loss);
    if (input.dim() != target.dim())
        throw ShapeError(loss + ": input " + shape(input) + " and target " + shape(target) +
                         " differ in rank; a label target must be (B, 1, *spatial)");
    if (target.size(1) != 1 && target.size(1) != input.size(1))
        throw ShapeError(loss + ": target " + shape(target) + " has neither 1 channel nor the " +
                         std::to_string(input.size(1)) + " of input " + shape(input));
}

std::pair<at::Tensor, at::Tensor> prepare(const at::Tensor& input, const at::Tensor& target,
                                          const Prep& p, const std::string& loss) {
    at::Tensor x = input, y = target;
    const int64_t n = x.size(1);
    if (p.sigmoid)
        x = at::sigmoid(x);
    if (p.softmax && n > 1)
        x = at::softmax(x, 1);
    x = activate(x, p.otherAct);
    const bool onehot = p.toOnehotY && n > 1;
    if (onehot)
        y = oneHot(y, n, x.scalar_type(), loss);
    if (!p.includeBackground && n > 1) {
        x = x.slice(1, 1);
        y = y.slice(1, 1);
    }
    if (x.sizes() != y.sizes())
        throw ShapeError(loss + ": input " + shape(input) + " and target " + shape(target) +
                         " do not match" +
                         (onehot ? " after one-hot encoding the target"
                                 : "; the target must be (B, C, *spatial) like the input, or a "
                                   "(B, 1, *spatial) label map with to_onehot_y"));
    return {x, y.to(x.scalar_type())};
}

std::vector<int64_t> reduceAxes(int64_t rank, bool batch) {
    std::vector<int64_t> axes;
    if (batch)
        axes.push_back(0);
    for (int64_t d = 2; d < rank; ++d)
        axes.push_back(d);
    return axes;
}

at::Tensor classWeights(const std::vector<double>& w, int64_t n, const at::Tensor& like,
                        const std::string& field, const std::string& which) {
    std::vector<double> v = w;
    if (v.size() == 1)
        v.assign(size_t(n), v[0]);
    if (int64_t(v.size()) != n)
        throw ConfigError(std::to_string(w.size()) + " entries given but " + std::to_string(n) +
                              " expected (one per " + which + ")",
                          {}, field);
    return at::tensor(v, at::TensorOptions().dtype(at::kDouble))
        .to(like.device(), like.scalar_type());
}

at::Tensor reduce(const at::Tensor& f, const std::string& reduction) {
    if (reduction == "mean")
        return f.mean();
    if (reduction == "sum")
        return f.sum();
    return f;
}

at::Tensor broadcastable(const at::Tensor& f, int64_t rank) {
    std::vector<int64_t> s(f.sizes().begin(), f.sizes().begin() + std::min<int64_t>(2, f.dim()));
    for (int64_t d = 2; d < rank; ++d)
        s.push_back(1);
    return f.view(s);
}

void checkReduction(const std::string& r, const std::string& field, bool allowNone) {
    if (r == "mean" || r == "sum" || (allowNone && r == "none"))
        return;
    throw ConfigError("\"" + r + "\" is not one of: mean, sum" + (allowNone ? ", none" : ""), {},
                      field);
}

void checkNonNegative(const std::vector<double>& values, const std::string& field) {
    for (size_t i = 0; i < values.size(); ++i)
        if (!(values[i] >= 0))
            throw ConfigError("must be >= 0, got " + Json(values[i]).dump(), {},
                              field + "[" + std::to_string(i) + "]");
}

void checkNonNegative(double value, const std::string& field) {
    if (!(value >= 0))
        throw ConfigError("must be >= 0, got " + Json(value).dump(), {}, field);
}

std::vector<ParamSpec> targetParams() {
    return {{"include_background",
             ParamType::Bool,
             true,
             0,
             1,
             {},
             "keep channel 0 (background) in the loss"},
            {"to_onehot_y",
             ParamType::Bool,
             false,
             0,
             1,
             {},
             "the target is a (B, 1, *spatial) label map to one-hot encode"}};
}

std::vector<ParamSpec> prepParams() {
    return join({targetParams(),
                 {{"sigmoid", ParamType::Bool, false, 0, 1, {}, "apply a sigmoid to the input"},
                  {"softmax",
                   ParamType::Bool,
                   false,
                   0,
                   1,
                   {},
                   "apply a softmax over the channels of the input"},
                  {"other_act", ParamType::String, "none", 0, 0, activationNames(),
                   "another activation of the input (null/none: no activation)"}}});
}

ParamSpec gammaParam() {
    return {"gamma", ParamType::Float, 2.0, 0, 1e3, {}, "focal exponent (0: cross-entropy)"};
}

ParamSpec reductionParam(bool allowNone) {
    std::vector<std::string> choices = {"mean", "sum"};
    if (allowNone)
        choices.push_back("none");
    return {"reduction",
            ParamType::String,
            "mean",
            0,
            0,
            choices,
            allowNone ? "mean, sum or none (unreduced, MONAI's shape)" : "mean or sum"};
}

std::vector<ParamSpec> smoothParams() {
    return {{"smooth_nr", ParamType::Float, 1e-5, 0, 1e6, {}, "added to the numerator"},
            {"smooth_dr", ParamType::Float, 1e-5, 0, 1e6, {}, "added to the denominator"}};
}

ParamSpec batchParam() {
    return {"batch",
            ParamType::Bool,
            false,
            0,
            1,
            {},
            "sum the areas over the batch before dividing (one value per class)"};
}

ParamSpec weightParam(const std::string& help) {
    return {"weight", ParamType::FloatList, Json::array(), 0, 1e9, {}, help};
}

ParamSpec lambdaParam(const std::string& name, const std::string& help) {
    return {name, ParamType::Float, 1.0, 0, 1e9, {}, help};
}

std::vector<ParamSpec> join(std::initializer_list<std::vector<ParamSpec>> parts) {
    std::vector<ParamSpec> out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::string readActivation(const ParamReader& r) {
    if (r.has("other_act") && r.raw("other_act").is_null())
        return "none";
    return r.string("other_act");
}

Json activationJson(const std::string& name) {
    return name == "none" ? Json() : Json(name);
}

std::optional<double> readOptionalNumber(const ParamReader& r, const std::string& key, double lo,
                                         double hi) {
    const Json& v = r.raw(key);
    if (v.is_null() || (v.is_string() && v.get<std::string>() == "none"))
        return std::nullopt;
    if (!v.is_number())
        throw ConfigError("expected a number or null, got " + v.dump(), {}, r.field(key));
    const double d = v.get<double>();
    if (!(d >= lo && d <= hi))
        throw ConfigError("value " + Json(d).dump() + " is out of range [" + Json(lo).dump() +
                              ", " + Json(hi).dump() + "]",
                          {}, r.field(key));
    return d;
}

} // namespace medulla::lossterms
