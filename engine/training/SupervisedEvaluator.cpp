#include "engine/training/SupervisedEvaluator.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "engine/core/Error.h"
#include "engine/core/OneHot.h"
#include "engine/data/Dataset.h"
#include "engine/training/PrepareBatch.h"

namespace medulla {
namespace {

/// Pads the spatial axes at their end to multiples of k.
at::Tensor padToMultiple(const at::Tensor& x, int64_t k) {
    if (k <= 1)
        return x;
    std::vector<int64_t> pad;
    for (int64_t d = x.dim() - 1; d >= 2; --d) {
        pad.push_back(0);
        pad.push_back((k - x.size(d) % k) % k);
    }
    return torch::constant_pad_nd(x, pad, 0);
}

/// A scalar out of an aggregated value: itself, or the mean of its non-NaN
/// entries (NaN when there are none).
double scalarOf(const at::Tensor& value) {
    if (value.numel() == 1)
        return value.item<double>();
    at::Tensor v = value.to(torch::kDouble).flatten();
    at::Tensor valid = v.masked_select(~v.isnan());
    return valid.numel() ? valid.mean().item<double>() : std::nan("");
}

} // namespace

SupervisedEvaluator::SupervisedEvaluator(c10::Device device, DataLoader& loader, NetworkPtr network,
                                         SupervisedEvaluatorOptions options, MetricPtr keyMetric,
                                         InfererPtr inferer)
    : device_(device), loader_(loader), network_(std::move(network)), options_(std::move(options)) {
    if (!network_)
        throw std::invalid_argument("SupervisedEvaluator needs a network");
    if (!keyMetric)
        keyMetric = metricRegistry().create(
            Json{{"name", "DiceMetric"}, {"include_background", false}}, "key_metric");
    metrics_.emplace_back(options_.key_metric_name(), std::move(keyMetric));
    setInferer(std::move(inferer));
    post_ = [this](const at::Tensor& pred, const at::Tensor& label) {
        const int64_t n =
            options_.num_classes() > 0 ? options_.num_classes() : network_->outChannels();
        return std::make_pair(oneHot(pred.argmax(1, true), n), oneHot(label, n));
    };
    state().keyMetricName = options_.key_metric_name();
    // Registered before any handler, so handlers see this run's results.
    on(Event::EpochStarted, [this](Workflow&) {
        improved_ = false;
        for (auto& m : metrics_)
            m.second->reset();
    });
    on(Event::EpochCompleted, [this](Workflow&) { aggregate(); });
}

void SupervisedEvaluator::addMetric(const std::string& name, MetricPtr metric) {
    if (!metric)
        throw std::invalid_argument("SupervisedEvaluator::addMetric: null metric");
    for (const auto& m : metrics_)
        if (m.first == name)
            throw ConfigError("a metric named \"" + name + "\" is already attached", {},
                              "additional_metrics");
    metrics_.emplace_back(name, std::move(metric));
}

void SupervisedEvaluator::setInferer(InfererPtr inferer) {
    inferer_ = inferer ? std::move(inferer) : std::make_shared<SimpleInferer>();
}

JobState SupervisedEvaluator::run(int64_t globalEpoch, const CancelToken& cancel) {
    // Mark epoch globalEpoch - 1 as finished, so that Workflow::run runs
    // exactly epoch globalEpoch.
    WorkflowState& s = state();
    s.maxEpochs = globalEpoch;
    s.epoch = globalEpoch - 1;
    s.epochLength = 1;
    s.epochIteration = 1;
    s.iteration = 0;
    return Workflow::run(cancel);
}

int64_t SupervisedEvaluator::epochLength() {
    return loader_.batchesPerEpoch();
}

void SupervisedEvaluator::startEpoch(int64_t epoch, int64_t skip) {
    loader_.startEpoch(0, skip); // the same order every time
}

at::Tensor SupervisedEvaluator::predict(const at::Tensor& input, const CancelToken* cancel) {
    torch::NoGradGuard noGrad;
    network_->eval();
    const int64_t divisor = network_->sizeDivisor();
    const Predictor predictor = [&](const at::Tensor& x) {
        at::Tensor out = network_->forward(padToMultiple(x, divisor));
        for (int64_t d = 2; d < x.dim() && d < out.dim(); ++d)
            out = out.narrow(d, 0, x.size(d));
        return out;
    };
    at::Tensor pred;
    auto body = [&] { pred = (*inferer_)(input, predictor, cancel); };
    if (hooks_.autocast)
        hooks_.autocast(body);
    else
        body();
    return pred;
}

void SupervisedEvaluator::iterate(const CancelToken& cancel) {
    std::optional<Batch> batch = loader_.next(&cancel);
    if (!batch)
        throw Error("the validation loader ended after " + std::to_string(state().epochIteration) +
                    " of " + std::to_string(state().epochLength) + " batches");
    MetricCall call;
    call.caseIds = caseIds(*batch, options_.image_key());
    PreparedBatch in = prepareBatch(*batch, options_.image_key(), options_.label_key(), device_,
                                    options_.channels_last(), options_.data_field());
    if (in.input.sizes().slice(2) != in.target.sizes().slice(2))
        throw ShapeError("image and label sizes differ: " + c10::str(in.input.sizes().slice(2)) +
                             " vs " + c10::str(in.target.sizes().slice(2)),
                         batch->records.empty() ? std::string()
                                                : Dataset::describe(batch->records.front()),
                         options_.data_field());
    call.spacing = rowSpacing(*batch, options_.image_key(), in.input.dim() - 2);
    batch.reset();
    const at::Tensor pred = predict(in.input, &cancel);
    const auto [yPred, y] = post_(pred, in.target);
    for (auto& m : metrics_)
        (*m.second)(yPred, y, call);
}

void SupervisedEvaluator::aggregate() {
    WorkflowState& s = state();
    for (const auto& [name, metric] : metrics_) {
        if (metric->caseIds().empty())
            continue; // nothing evaluated (empty validation set)
        const std::vector<MetricValue> values = metric->aggregate();
        for (size_t i = 0; i < values.size(); ++i)
            s.metrics[i == 0 ? name : name + "_" + values[i].name] = scalarOf(values[i].value);
    }
    auto key = s.metrics.find(s.keyMetricName);
    if (key == s.metrics.end() || std::isnan(key->second))
        return;
    if (s.bestMetricEpoch < 0 || key->second > s.bestMetric) {
        s.bestMetric = key->second;
        s.bestMetricEpoch = s.epoch;
        improved_ = true;
    }
}

MetricTable SupervisedEvaluator::table() const {
    MetricTable t;
    for (const auto& m : metrics_) {
        if (m.second->caseIds().empty())
            continue;
        if (t.caseIds.empty())
            t = m.second->table();
        else
            t.append(m.second->table());
    }
    return t;
}

} // namespace medulla
