#include "engine/metrics/ConfusionMatrixMetric.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "engine/core/Error.h"
#include "engine/metrics/MetricInputs.h"
#include "kernels/cpu/OverlapSums.h"

namespace medulla {
namespace {

using Aliases = std::vector<std::pair<std::string, std::vector<std::string>>>;

/// MONAI's check_confusion_matrix_metric_name: short code -> accepted names.
const Aliases& aliases() {
    static const Aliases table = {
        {"tpr", {"sensitivity", "recall", "hit_rate", "true_positive_rate", "tpr"}},
        {"tnr", {"specificity", "selectivity", "true_negative_rate", "tnr"}},
        {"ppv", {"precision", "positive_predictive_value", "ppv"}},
        {"npv", {"negative_predictive_value", "npv"}},
        {"fnr", {"miss_rate", "false_negative_rate", "fnr"}},
        {"fpr", {"fall_out", "false_positive_rate", "fpr"}},
        {"fdr", {"false_discovery_rate", "fdr"}},
        {"for", {"false_omission_rate", "for"}},
        {"pt", {"prevalence_threshold", "pt"}},
        {"ts", {"threat_score", "critical_success_index", "ts", "csi"}},
        {"acc", {"accuracy", "acc"}},
        {"ba", {"balanced_accuracy", "ba"}},
        {"f1", {"f1_score", "f1"}},
        {"mcc", {"matthews_correlation_coefficient", "mcc"}},
        {"fm", {"fowlkes_mallows_index", "fm"}},
        {"bm", {"informedness", "bookmaker_informedness", "bm", "youden_index", "youden"}},
        {"mk", {"markedness", "deltap", "mk"}},
    };
    return table;
}

/// num / den, NaN where den == 0 (MONAI's final division).
at::Tensor ratio(const at::Tensor& num, const at::Tensor& den) {
    return nanWhereNot(den != 0, num / den);
}

/// num / den, NaN where den <= 0 (MONAI's intermediate rates).
at::Tensor rate(const at::Tensor& num, const at::Tensor& den) {
    return nanWhereNot(den > 0, num / den);
}

} // namespace

const std::vector<std::string>& ConfusionMatrixMetric::measureNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> all;
        for (const auto& [code, names] : aliases())
            all.insert(all.end(), names.begin(), names.end());
        return all;
    }();
    return names;
}

std::string ConfusionMatrixMetric::measureCode(const std::string& metricName,
                                               const std::string& field) {
    std::string key = metricName;
    std::replace(key.begin(), key.end(), ' ', '_');
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    for (const auto& [code, names] : aliases())
        if (std::find(names.begin(), names.end(), key) != names.end())
            return code;
    std::string known;
    for (const auto& n : measureNames())
        known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("unknown metric name \"" + metricName + "\" (known: " + known + ")", {},
                      field);
}

at::Tensor ConfusionMatrixMetric::measure(const std::string& metricName,
                                          const at::Tensor& matrices) {
    const std::string code = measureCode(metricName, "metric.metric_name");
    at::Tensor m = matrices.to(torch::kDouble);
    if (m.dim() == 1)
        m = m.unsqueeze(0);
    if (m.dim() == 0 || m.size(-1) != 4)
        throw ShapeError("ConfusionMatrixMetric: confusion matrices must end in 4 values "
                         "[tp, fp, tn, fn], got " +
                         c10::str(matrices.sizes()));
    const at::Tensor tp = m.select(-1, 0), fp = m.select(-1, 1), tn = m.select(-1, 2),
                     fn = m.select(-1, 3);
    const at::Tensor p = tp + fn, n = fp + tn;
    at::Tensor out;
    if (code == "tpr")
        out = ratio(tp, p);
    else if (code == "tnr")
        out = ratio(tn, n);
    else if (code == "ppv")
        out = ratio(tp, tp + fp);
    else if (code == "npv")
        out = ratio(tn, tn + fn);
    else if (code == "fnr")
        out = ratio(fn, p);
    else if (code == "fpr")
        out = ratio(fp, n);
    else if (code == "fdr")
        out = ratio(fp, fp + tp);
    else if (code == "for")
        out = ratio(fn, fn + tn);
    else if (code == "pt") {
        const at::Tensor tpr = rate(tp, p), tnr = rate(tn, n);
        out = ratio(torch::sqrt(tpr * (1.0 - tnr)) + tnr - 1.0, tpr + tnr - 1.0);
    } else if (code == "ts")
        out = ratio(tp, tp + fn + fp);
    else if (code == "acc")
        out = ratio(tp + tn, p + n);
    else if (code == "ba")
        out = (rate(tp, p) + rate(tn, n)) / 2.0;
    else if (code == "f1")
        out = ratio(tp * 2.0, tp * 2.0 + fn + fp);
    else if (code == "mcc")
        out = ratio(tp * tn - fp * fn, torch::sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)));
    else if (code == "fm")
        out = torch::sqrt(rate(tp, tp + fp) * rate(tp, p));
    else if (code == "bm")
        out = rate(tp, p) + rate(tn, n) - 1.0;
    else // "mk"
        out = rate(tp, tp + fp) + rate(tn, tn + fn) - 1.0;
    return out.to(torch::kFloat);
}

ConfusionMatrixMetric::ConfusionMatrixMetric(ConfusionMatrixMetricOptions options)
    : options_(std::move(options)) {
    checkMetricReduction(options_.reduction(), "metric.reduction");
    if (options_.metric_name().empty())
        throw ConfigError("needs at least one name", {}, "metric.metric_name");
    for (const auto& n : options_.metric_name())
        measureCode(n, "metric.metric_name");
}

at::Tensor ConfusionMatrixMetric::compute(const at::Tensor& yPredIn, const at::Tensor& yIn,
                                          const MetricCall&) const {
    checkMetricRank(yPredIn, 2, name());
    if (yPredIn.dim() == 2 || (yPredIn.dim() == 3 && yPredIn.size(-1) == 1))
        classification_ = true; // MONAI warns and turns compute_sample off for good
    const auto [yPred, y] =
        segmentationPair(yPredIn, yIn, options_.include_background(), name(), 2);
    const at::Tensor s = kernels::overlapSums(yPred, y, kernels::OverlapKind::Confusion);
    const double voxels = double(y.numel()) / double(std::max<int64_t>(1, y.size(0) * y.size(1)));
    const at::Tensor tp = s.select(-1, 0), tn = s.select(-1, 1), pos = s.select(-1, 2);
    const at::Tensor neg = voxels - pos;
    return torch::stack({tp, neg - tn, tn, pos - tp}, -1).to(torch::kFloat);
}

std::vector<MetricValue> ConfusionMatrixMetric::aggregate() const {
    if (buffer_.empty())
        return Metric::aggregate(); // throws the base's "nothing kept" error
    const at::Tensor all = buffer();
    const bool perSample = options_.compute_sample() && !classification_;
    std::vector<MetricValue> out;
    for (const auto& metricName : options_.metric_name()) {
        if (perSample) {
            auto [f, notNans] = doMetricReduction(measure(metricName, all), reduction());
            out.push_back({metricName, f, notNans});
        } else {
            auto [f, notNans] = doMetricReduction(all, reduction());
            out.push_back({metricName, measure(metricName, f), notNans});
        }
    }
    return out;
}

MetricTable ConfusionMatrixMetric::table() const {
    MetricTable t;
    t.caseIds = caseIds_;
    t.rows.resize(caseIds_.size());
    if (buffer_.empty())
        return t;
    for (const auto& metricName : options_.metric_name())
        t.append(perCaseTable(measure(metricName, buffer()), metricName));
    return t;
}

ComponentInfo ConfusionMatrixMetric::info() {
    return {"ConfusionMatrixMetric",
            "metric",
            "Confusion-matrix measures (sensitivity, specificity, precision, f1 score, ...) of "
            "binarised one-hot predictions, per class.",
            {includeBackgroundParam(true),
             {"metric_name", ParamType::StringList, "hit_rate", 0, 0, measureNames(),
              "one name or a list: sensitivity, specificity, precision, negative predictive "
              "value, miss rate, fall out, false discovery rate, false omission rate, "
              "prevalence threshold, threat score, accuracy, balanced accuracy, f1 score, "
              "matthews correlation coefficient, fowlkes mallows index, informedness, "
              "markedness, or an alias"},
             {"compute_sample",
              ParamType::Bool,
              false,
              0,
              1,
              {},
              "measure each case's matrix before the reduction (else reduce the matrices)"},
             metricReductionParam(),
             getNotNansParam()}};
}

std::shared_ptr<Metric> ConfusionMatrixMetric::fromJson(const Json& config,
                                                        const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    const std::vector<std::string> names = r.stringList("metric_name");
    const bool list = r.raw("metric_name").is_array();
    for (size_t k = 0; k < names.size(); ++k)
        measureCode(names[k], r.field("metric_name") + (list ? "[" + std::to_string(k) + "]" : ""));
    if (names.empty())
        throw ConfigError("needs at least one name", {}, r.field("metric_name"));
    return std::make_shared<ConfusionMatrixMetric>(
        ConfusionMatrixMetricOptions()
            .include_background(r.boolean("include_background"))
            .metric_name(names)
            .compute_sample(r.boolean("compute_sample"))
            .reduction(r.string("reduction"))
            .get_not_nans(r.boolean("get_not_nans")));
}

Json ConfusionMatrixMetric::toJson() const {
    const auto& o = options_;
    const auto& names = o.metric_name();
    return {{"name", name()},
            {"include_background", o.include_background()},
            {"metric_name", names.size() == 1 ? Json(names.front()) : Json(names)},
            {"compute_sample", o.compute_sample()},
            {"reduction", o.reduction()},
            {"get_not_nans", o.get_not_nans()}};
}

} // namespace medulla
