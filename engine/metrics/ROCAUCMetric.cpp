#include "engine/metrics/ROCAUCMetric.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "engine/core/Error.h"

namespace medulla {
namespace {

const std::vector<std::string>& averages() {
    static const std::vector<std::string> names = {"macro", "weighted", "micro", "none"};
    return names;
}

/// (N, 1) -> (N,), as MONAI squeezes binary inputs.
at::Tensor squeezeBinary(const at::Tensor& t) {
    return t.dim() == 2 && t.size(1) == 1 ? t.squeeze(1) : t;
}

} // namespace

ROCAUCMetric::ROCAUCMetric(ROCAUCMetricOptions options) : options_(std::move(options)) {
    const auto& known = averages();
    if (std::find(known.begin(), known.end(), options_.average()) == known.end())
        throw ConfigError("unknown average \"" + options_.average() +
                              "\" (known: macro, weighted, micro, none)",
                          {}, "metric.average");
}

double ROCAUCMetric::auc(const at::Tensor& scoresIn, const at::Tensor& labelsIn) {
    if (scoresIn.dim() != 1 || labelsIn.dim() != 1 || scoresIn.size(0) != labelsIn.size(0))
        throw ShapeError("ROCAUCMetric: scores " + c10::str(scoresIn.sizes()) + " and labels " +
                         c10::str(labelsIn.sizes()) + " must be 1-D of one length");
    const at::Tensor s = scoresIn.to(torch::kDouble).cpu().contiguous();
    const at::Tensor l = labelsIn.to(torch::kDouble).cpu().contiguous();
    const int64_t n = s.size(0);
    const double* score = s.data_ptr<double>();
    const double* label = l.data_ptr<double>();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    // MONAI: NaN unless the labels are exactly {0, 1}
    bool has0 = false, has1 = false;
    for (int64_t i = 0; i < n; ++i) {
        if (label[i] == 0)
            has0 = true;
        else if (label[i] == 1)
            has1 = true;
        else
            return nan;
    }
    if (!has0 || !has1)
        return nan;
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    // NaN scores last, as torch's argsort puts them (and a strict weak order)
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return score[a] < score[b] || (!std::isnan(score[a]) && std::isnan(score[b]));
    });
    // walk groups of tied scores upwards: every positive beats the negatives
    // below its group and half of those tied with it
    double negatives = 0, area = 0;
    for (size_t i = 0; i < order.size();) {
        double pos = 0, neg = 0;
        size_t j = i;
        do
            (label[order[j]] == 1 ? pos : neg) += 1;
        while (++j < order.size() && score[order[j]] == score[order[i]]);
        area += pos * (negatives + neg / 2);
        negatives += neg;
        i = j;
    }
    return area / (negatives * (double(n) - negatives));
}

at::Tensor ROCAUCMetric::compute(const at::Tensor& yPredIn, const at::Tensor& yIn,
                                 const MetricCall&) const {
    const at::Tensor yPred = squeezeBinary(yPredIn), y = squeezeBinary(yIn);
    if (yPred.dim() < 1 || yPred.dim() > 2 || yPred.sizes() != y.sizes())
        throw ShapeError("ROCAUCMetric: y_pred " + c10::str(yPredIn.sizes()) + " and y " +
                         c10::str(yIn.sizes()) +
                         " must both be (N, C) or (N,) / (N, 1) of one shape");
    if (!buffer_.empty() && buffer_.front().dim() != yPred.dim() + 1)
        throw ShapeError("ROCAUCMetric: y_pred " + c10::str(yPredIn.sizes()) +
                         " does not fit the rows kept before " + c10::str(buffer_.front().sizes()));
    if (!buffer_.empty() && yPred.dim() == 2 && buffer_.front().size(1) != yPred.size(1))
        throw ShapeError("ROCAUCMetric: y_pred " + c10::str(yPredIn.sizes()) + " has " +
                         std::to_string(yPred.size(1)) + " classes, the rows kept before " +
                         std::to_string(buffer_.front().size(1)));
    return torch::stack({yPred.to(torch::kDouble), y.to(torch::kDouble)}, -1);
}

std::vector<MetricValue> ROCAUCMetric::aggregate() const {
    if (buffer_.empty())
        return Metric::aggregate(); // throws the base's "nothing kept" error
    const at::Tensor all = buffer();
    const at::Tensor scores = all.select(-1, 0), labels = all.select(-1, 1);
    at::Tensor value;
    if (scores.dim() == 1 || options_.average() == "micro") {
        value = torch::tensor(auc(scores.flatten(), labels.flatten()), torch::kDouble);
    } else {
        const int64_t classes = scores.size(1);
        std::vector<double> perClass, weights;
        for (int64_t c = 0; c < classes; ++c) {
            perClass.push_back(auc(scores.select(1, c), labels.select(1, c)));
            weights.push_back(labels.select(1, c).sum().item<double>());
        }
        const at::Tensor a = torch::tensor(perClass, torch::kDouble);
        if (options_.average() == "none")
            value = a;
        else if (options_.average() == "macro")
            value = a.mean();
        else { // weighted by the positives of each class (np.average)
            const at::Tensor w = torch::tensor(weights, torch::kDouble);
            value = (a * w).sum() / w.sum();
        }
    }
    return {MetricValue{name(), value, (~torch::isnan(value)).to(torch::kFloat)}};
}

MetricTable ROCAUCMetric::table() const {
    MetricTable t;
    t.caseIds = caseIds_;
    t.rows.assign(caseIds_.size(), {});
    return t;
}

ComponentInfo ROCAUCMetric::info() {
    return {"ROCAUCMetric",
            "metric",
            "Area under the ROC curve of classification scores (ties get half credit), over "
            "all cases.",
            {{"average", ParamType::String, "macro", 0, 0, averages(),
              "macro: mean over classes; weighted: by each class' positives; micro: all "
              "classes as one; none: one value per class"}}};
}

std::shared_ptr<Metric> ROCAUCMetric::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<ROCAUCMetric>(ROCAUCMetricOptions().average(r.string("average")));
}

Json ROCAUCMetric::toJson() const {
    return {{"name", name()}, {"average", options_.average()}};
}

} // namespace medulla
