#include "engine/training/EnsembleEvaluator.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "engine/core/Error.h"
#include "engine/core/OneHot.h"
#include "engine/training/SupervisedEvaluator.h"
#include "engine/transforms/EnsembleOps.h"

namespace medulla {
namespace {

/// The mean of each row's non-NaN entries of per-case values (N, ...);
/// NaN for a row without any.
std::vector<double> rowMeans(const at::Tensor& values) {
    std::vector<double> out;
    if (!values.defined() || values.numel() == 0)
        return out;
    const at::Tensor v = values.to(torch::kDouble).reshape({values.size(0), -1});
    const at::Tensor ok = ~torch::isnan(v);
    const at::Tensor sum = torch::where(ok, v, torch::zeros_like(v)).sum(1);
    const at::Tensor count = ok.sum(1).to(torch::kDouble);
    const at::Tensor mean = (sum / count).contiguous(); // 0 / 0 = NaN
    out.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
    return out;
}

/// Member k's score: its prediction through the evaluator's post-processing
/// and the key metric's computation; one table column "model_<k>".
class MemberMetric : public Metric {
public:
    MemberMetric(const EnsembleEvaluator& evaluator, size_t k) : evaluator_(evaluator), k_(k) {}

    at::Tensor compute(const at::Tensor&, const at::Tensor&,
                       const MetricCall& call) const override {
        const auto [yPred, y] =
            evaluator_.postprocess(evaluator_.memberPrediction(k_), evaluator_.lastOutput().label);
        return evaluator_.keyMetric().compute(yPred, y, call);
    }
    MetricTable table() const override {
        MetricTable t;
        t.caseIds = caseIds();
        t.columns = {name()};
        for (double v : rowMeans(buffer()))
            t.rows.push_back({v});
        return t;
    }
    std::string name() const override { return EnsembleEvaluator::memberName(k_); }
    std::string reduction() const override { return evaluator_.keyMetric().reduction(); }
    Json toJson() const override {
        return {
            {"name", "EnsembleMember"}, {"model", k_}, {"metric", evaluator_.keyMetric().toJson()}};
    }

private:
    const EnsembleEvaluator& evaluator_;
    size_t k_;
};

} // namespace

void EnsembleEvaluatorOptions::check(size_t networks) const {
    if (mode() != "mean" && mode() != "vote")
        throw ConfigError("must be \"mean\" or \"vote\", got \"" + mode() + "\"", {}, "mode");
    if (weights().empty())
        return;
    if (mode() != "mean")
        throw ConfigError("weights apply to mode \"mean\" only (mode is \"" + mode() + "\")", {},
                          "weights");
    if (weights().size() != networks)
        throw ConfigError("needs one weight per model (" + std::to_string(networks) + "), got " +
                              std::to_string(weights().size()),
                          {}, "weights");
    bool any = false;
    for (size_t k = 0; k < weights().size(); ++k) {
        const double w = weights()[k];
        if (!(w >= 0) || !std::isfinite(w))
            throw ConfigError("weight " + std::to_string(k) + " is " + std::to_string(w) +
                                  "; weights must be finite and >= 0",
                              {}, "weights");
        any = any || w > 0;
    }
    if (!any)
        throw ConfigError("the weights are all 0; at least one model needs a positive weight", {},
                          "weights");
}

std::string EnsembleEvaluator::memberName(size_t k) {
    return "model_" + std::to_string(k);
}

EnsembleEvaluator::EnsembleEvaluator(c10::Device device, DataLoader& loader,
                                     std::vector<NetworkPtr> networks,
                                     EnsembleEvaluatorOptions ensemble, EvaluatorOptions options,
                                     MetricPtr keyMetric, InfererPtr inferer)
    : Evaluator(device, loader, std::move(options), std::move(keyMetric)),
      networks_(std::move(networks)), ensemble_(std::move(ensemble)) {
    if (networks_.empty())
        throw ConfigError("an ensemble needs at least one model", {}, "models");
    for (size_t k = 0; k < networks_.size(); ++k) {
        if (!networks_[k])
            throw std::invalid_argument("EnsembleEvaluator: network " + std::to_string(k) +
                                        " is null");
        if (networks_[k]->outChannels() != networks_.front()->outChannels())
            throw ConfigError("model " + std::to_string(k) + " has " +
                                  std::to_string(networks_[k]->outChannels()) +
                                  " output channels, model 0 has " +
                                  std::to_string(networks_.front()->outChannels()) +
                                  "; the models of an ensemble must predict the same classes",
                              {}, "models[" + std::to_string(k) + "]");
    }
    ensemble_.check(networks_.size());
    if (!ensemble_.weights().empty())
        weights_ = torch::tensor(ensemble_.weights(), torch::kDouble).to(device, torch::kFloat);
    setInferer(std::move(inferer));
    if (ensemble_.score_members())
        for (size_t k = 0; k < networks_.size(); ++k)
            addMetric(memberName(k), std::make_shared<MemberMetric>(*this, k));
}

void EnsembleEvaluator::setInferer(InfererPtr inferer) {
    inferer_ = inferer ? std::move(inferer) : std::make_shared<SimpleInferer>();
}

at::Tensor EnsembleEvaluator::predict(const at::Tensor& input, const CancelToken* cancel) {
    members_.clear();
    const int64_t classes = numClasses();
    std::vector<at::Tensor> combined; // probabilities (mean) or labels (vote)
    for (auto& net : networks_) {
        at::Tensor pred = inferNetwork(*net, *inferer_, input, stepHooks(), cancel);
        if (ensemble_.mode() == "mean")
            combined.push_back(torch::softmax(pred.to(torch::kFloat), 1));
        else
            combined.push_back(pred.argmax(1, /*keepdim=*/true));
        if (ensemble_.score_members())
            members_.push_back(pred.contiguous());
    }
    torch::NoGradGuard noGrad;
    if (ensemble_.mode() == "mean")
        return meanEnsemble(combined, weights_);
    // VoteEnsemble takes the label maps of one case (1, *spatial) each.
    std::vector<at::Tensor> voted;
    for (int64_t b = 0; b < input.size(0); ++b) {
        std::vector<at::Tensor> rows;
        for (const auto& labels : combined)
            rows.push_back(labels[b]);
        voted.push_back(voteEnsemble(rows, classes));
    }
    return oneHot(torch::stack(voted), classes);
}

MetricTable EnsembleEvaluator::summaryTable() const {
    MetricTable t;
    t.caseIds = keyMetric().caseIds();
    t.rows.resize(t.caseIds.size());
    std::vector<std::vector<double>> columns;
    for (const auto& [name, metric] : metrics())
        if (dynamic_cast<const MemberMetric*>(metric.get())) {
            t.columns.push_back(name);
            columns.push_back(rowMeans(metric->buffer()));
        }
    t.columns.push_back("ensemble");
    columns.push_back(rowMeans(keyMetric().buffer()));
    for (size_t i = 0; i < t.rows.size(); ++i)
        for (const auto& c : columns)
            t.rows[i].push_back(i < c.size() ? c[i] : std::nan(""));
    return t;
}

} // namespace medulla
