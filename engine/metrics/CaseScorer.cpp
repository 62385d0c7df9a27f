#include "engine/metrics/CaseScorer.h"

#include <torch/torch.h>

#include "engine/core/Error.h"

namespace medulla {

const std::vector<std::string>& CaseScorer::knownScores() {
    static const std::vector<std::string> keys = {"dice", "iou", "hd", "hd95", "asd", "nsd"};
    return keys;
}

Json CaseScorer::metricConfig(const std::string& key, const CaseScorerOptions& o) {
    const bool bg = o.include_background;
    if (key == "dice")
        return {{"name", "DiceMetric"}, {"include_background", bg}};
    if (key == "iou")
        return {{"name", "MeanIoU"}, {"include_background", bg}};
    if (key == "hd")
        return {{"name", "HausdorffDistanceMetric"}, {"include_background", bg}};
    if (key == "hd95")
        return {
            {"name", "HausdorffDistanceMetric"}, {"include_background", bg}, {"percentile", 95}};
    if (key == "asd")
        return {{"name", "SurfaceDistanceMetric"}, {"include_background", bg}, {"symmetric", true}};
    const int64_t classes = o.num_classes - (bg ? 0 : 1);
    return {
        {"name", "SurfaceDiceMetric"},
        {"include_background", bg},
        {"class_thresholds", std::vector<double>(static_cast<size_t>(classes), o.nsd_tolerance)}};
}

CaseScorer::CaseScorer(CaseScorerOptions options) : options_(std::move(options)) {
    if (options_.num_classes < 2)
        throw ConfigError("needs at least 2 (background and one label), got " +
                              std::to_string(options_.num_classes),
                          {}, "num_classes");
    if (options_.scores.empty())
        throw ConfigError("no score chosen", {}, "scores");
    for (const auto& key : options_.scores) {
        const auto& known = knownScores();
        if (std::find(known.begin(), known.end(), key) == known.end())
            throw ConfigError("unknown score \"" + key +
                                  "\" (known: dice, iou, hd, hd95, asd, nsd)",
                              {}, "scores");
        metrics_.push_back(metricRegistry().create(metricConfig(key, options_), "scores." + key));
    }
}

void CaseScorer::add(const std::string& caseId, const at::Tensor& pred, const at::Tensor& label,
                     const std::vector<double>& spacing) {
    if (!pred.sizes().equals(label.sizes()))
        throw ShapeError(caseId + ": prediction " + c10::str(pred.sizes()) + " and label " +
                         c10::str(label.sizes()) + " differ in shape");
    const int64_t n = options_.num_classes;
    auto oneHot = [&](const at::Tensor& map, const char* what) {
        at::Tensor m = map.to(torch::kLong);
        const int64_t lo = m.min().item<int64_t>(), hi = m.max().item<int64_t>();
        if (lo < 0 || hi >= n)
            throw ConfigError(caseId + ": " + what + " has label " +
                                  std::to_string(lo < 0 ? lo : hi) + ", outside 0.." +
                                  std::to_string(n - 1),
                              {}, "num_classes");
        // (*spatial) -> (1, C, *spatial) uint8
        return torch::one_hot(m, n).movedim(-1, 0).unsqueeze(0).to(torch::kUInt8).contiguous();
    };
    const at::Tensor p = oneHot(pred, "the prediction"), y = oneHot(label, "the label");
    MetricCall call;
    call.spacing = {spacing};
    call.caseIds = {caseId};
    for (auto& m : metrics_)
        (*m)(p, y, call);
    ++cases_;
}

MetricTable CaseScorer::table() const {
    MetricTable t;
    for (const auto& m : metrics_)
        t.append(m->table());
    return t;
}

std::vector<std::pair<std::string, double>> CaseScorer::summary() const {
    std::vector<std::pair<std::string, double>> out;
    if (cases_ == 0)
        return out;
    for (const auto& m : metrics_)
        for (const auto& v : m->aggregate())
            out.emplace_back(m->shortName(), v.value.to(torch::kDouble).mean().item<double>());
    return out;
}

} // namespace medulla
