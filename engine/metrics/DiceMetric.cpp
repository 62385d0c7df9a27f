#include "engine/metrics/DiceMetric.h"

#include <torch/torch.h>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/metrics/MetricInputs.h"
#include "kernels/cpu/OverlapSums.h"

namespace medulla {
namespace {

/// Channels [first, last) of t, or for a (B, 1, ...) label map the masks
/// t == first, ..., t == last - 1 (bool), as MONAI's DiceHelper reads them.
at::Tensor classChannels(const at::Tensor& t, int64_t first, int64_t last, const char* what,
                         const DiceMetricOptions& o) {
    if (t.size(1) == 1) {
        std::vector<int64_t> shape(size_t(t.dim()), 1);
        shape[1] = last - first;
        return t == torch::arange(first, last, t.options().dtype(torch::kLong)).view(shape);
    }
    if (last > t.size(1))
        throw ShapeError(std::string("DiceMetric: ") + what + " " + c10::str(t.sizes()) + " has " +
                         std::to_string(t.size(1)) + " channels but classes up to " +
                         std::to_string(last - 1) + " are needed" +
                         (o.num_classes() > 0 ? " (num_classes)" : ""));
    return t.slice(1, first, last);
}

} // namespace

DiceMetric::DiceMetric(DiceMetricOptions options) : options_(std::move(options)) {
    checkMetricReduction(options_.reduction(), "metric.reduction");
    if (options_.num_classes() < 0)
        throw ConfigError("must be >= 0 (0 = y_pred's channel count)", {}, "metric.num_classes");
}

at::Tensor DiceMetric::compute(const at::Tensor& yPredIn, const at::Tensor& yIn,
                               const MetricCall&) const {
    checkMetricRank(yPredIn, 3, name());
    if (yIn.dim() != yPredIn.dim())
        throw ShapeError("DiceMetric: y_pred " + c10::str(yPredIn.sizes()) + " and y " +
                         c10::str(yIn.sizes()) + " must have the same number of dimensions");
    const int64_t nPredCh = options_.num_classes() > 0 ? options_.num_classes() : yPredIn.size(1);
    // MONAI: classes first..nPredCh-1; a single channel is the binary foreground
    const int64_t first = nPredCh > 1 && options_.include_background() ? 0 : 1;
    const int64_t last = nPredCh > 1 ? nPredCh : 2;
    at::Tensor yPred = classChannels(yPredIn, first, last, "y_pred", options_);
    at::Tensor y = classChannels(yIn, first, last, "y", options_);
    if (yPred.sizes() != y.sizes())
        throw ShapeError("DiceMetric: y_pred " + c10::str(yPredIn.sizes()) + " and y " +
                         c10::str(yIn.sizes()) + " do not match");
    // label-map masks take the other input's dtype so that the fused pass applies
    if (yPred.scalar_type() != y.scalar_type()) {
        if (yPredIn.size(1) == 1)
            yPred = yPred.to(y.scalar_type());
        else if (yIn.size(1) == 1)
            y = y.to(yPred.scalar_type());
    }
    const at::Tensor s = kernels::overlapSums(yPred, y, kernels::OverlapKind::Dice);
    const at::Tensor inter = s.select(-1, 0), ySum = s.select(-1, 1),
                     denom = ySum + s.select(-1, 2);
    return emptyGroundTruthRule(2.0 * inter / denom, ySum, denom, options_.ignore_empty())
        .to(metricValueType(yPredIn, yIn));
}

std::vector<MetricValue> DiceMetric::aggregate() const {
    std::vector<MetricValue> all = Metric::aggregate();
    if (!options_.return_with_label() || options_.reduction() != "mean_batch")
        return all;
    // MONAI: a dict {label: round(value, 4)}
    const at::Tensor v = all.front().value.to(torch::kDouble), n = all.front().notNans;
    std::vector<MetricValue> labelled;
    const auto& names = options_.label_names();
    const int64_t count = names.empty() ? v.size(0) : std::min<int64_t>(v.size(0), names.size());
    for (int64_t k = 0; k < count; ++k) {
        const int64_t cls = (options_.include_background() ? 0 : 1) + k; // MONAI's numbering
        const std::string label = names.empty() ? "label_" + std::to_string(cls) : names[size_t(k)];
        const double rounded = std::nearbyint(v[k].item<double>() * 1e4) / 1e4;
        labelled.push_back({label, torch::tensor(rounded, torch::kDouble), n[k]});
    }
    return labelled;
}

int64_t DiceMetric::firstClass() const {
    // a single-channel result is the binary foreground (class 1)
    const bool oneColumn = !buffer_.empty() && buffer_.front().size(1) == 1;
    return options_.include_background() && !oneColumn ? 0 : 1;
}

ComponentInfo DiceMetric::info() {
    return {"DiceMetric",
            "metric",
            "Dice 2|X.Y| / (|X| + |Y|) per case and class of binarised one-hot predictions.",
            {includeBackgroundParam(true),
             metricReductionParam(),
             getNotNansParam(),
             ignoreEmptyParam(),
             {"num_classes",
              ParamType::Int,
              0,
              0,
              1e6,
              {},
              "classes including the background; 0 or null = y_pred's channel count (set it "
              "for (B, 1, ...) label maps)"},
             {"return_with_label",
              ParamType::Object,
              false,
              0,
              0,
              {},
              "with reduction mean_batch: one value per class named label_<k> (true) or by "
              "the given list of names"}}};
}

std::shared_ptr<Metric> DiceMetric::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    const Json& classes = r.raw("num_classes");
    const Json& labels = r.raw("return_with_label");
    DiceMetricOptions o;
    o.include_background(r.boolean("include_background"))
        .reduction(r.string("reduction"))
        .get_not_nans(r.boolean("get_not_nans"))
        .ignore_empty(r.boolean("ignore_empty"))
        .num_classes(classes.is_null() ? 0 : r.integer("num_classes"));
    if (labels.is_array()) {
        o.return_with_label(true).label_names(r.stringList("return_with_label"));
    } else if (labels.is_boolean()) {
        o.return_with_label(labels.get<bool>());
    } else {
        throw ConfigError("expected true, false or a list of label names, got " + labels.dump(), {},
                          r.field("return_with_label"));
    }
    return std::make_shared<DiceMetric>(o);
}

Json DiceMetric::toJson() const {
    const auto& o = options_;
    const Json labels =
        o.label_names().empty() ? Json(o.return_with_label()) : Json(o.label_names());
    return {{"name", name()},
            {"include_background", o.include_background()},
            {"reduction", o.reduction()},
            {"get_not_nans", o.get_not_nans()},
            {"ignore_empty", o.ignore_empty()},
            {"num_classes", o.num_classes() > 0 ? Json(o.num_classes()) : Json(nullptr)},
            {"return_with_label", labels}};
}

} // namespace medulla
