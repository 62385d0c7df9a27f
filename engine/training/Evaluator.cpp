#include "engine/training/Evaluator.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "engine/core/Error.h"
#include "engine/core/OneHot.h"
#include "engine/data/Dataset.h"
#include "engine/networks/MemoryFormat.h"
#include "engine/training/PrepareBatch.h"

namespace medulla {
namespace {

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

Evaluator::Evaluator(c10::Device device, DataLoader& loader, EvaluatorOptions options,
                     MetricPtr keyMetric)
    : device_(device), loader_(loader), options_(std::move(options)) {
    if (!keyMetric)
        keyMetric = metricRegistry().create(
            Json{{"name", "DiceMetric"}, {"include_background", false}}, "key_metric");
    metrics_.emplace_back(options_.key_metric_name(), std::move(keyMetric));
    post_ = [this](const at::Tensor& pred, const at::Tensor& label) {
        const int64_t n = options_.num_classes() > 0 ? options_.num_classes() : numClasses();
        return std::make_pair(oneHot(pred.argmax(1, true), n), oneHot(label, n));
    };
    state().keyMetricName = options_.key_metric_name();
    // Registered before any handler, so handlers see this run's results.
    on(Event::EpochStarted, [this](Workflow&) {
        improved_ = false;
        for (auto& m : metrics_)
            m.second->reset();
    });
    on(Event::EpochCompleted, [this](Workflow&) {
        if (gather_)
            gather_(metrics_);
        aggregate();
    });
}

void Evaluator::addMetric(const std::string& name, MetricPtr metric) {
    if (!metric)
        throw std::invalid_argument("Evaluator::addMetric: null metric");
    for (const auto& m : metrics_)
        if (m.first == name)
            throw ConfigError("a metric named \"" + name + "\" is already attached", {},
                              "additional_metrics");
    metrics_.emplace_back(name, std::move(metric));
}

JobState Evaluator::run(int64_t globalEpoch, const CancelToken& cancel) {
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

int64_t Evaluator::epochLength() {
    return loader_.batchesPerEpoch();
}

void Evaluator::startEpoch(int64_t, int64_t skip) {
    loader_.startEpoch(0, skip); // the same order every time
}

void Evaluator::iterate(const CancelToken& cancel) {
    last_ = EvaluatorOutput();
    std::optional<Batch> batch = loader_.next(&cancel);
    if (!batch)
        throw Error("the evaluation loader ended after " + std::to_string(state().epochIteration) +
                    " of " + std::to_string(state().epochLength) + " batches");
    const bool scored = options_.require_label() || batch->count(options_.label_key());
    PreparedBatch in;
    if (scored) {
        in = prepareBatch(*batch, options_.image_key(), options_.label_key(), device_,
                          options_.channels_last(), options_.data_field());
    } else { // the image alone (Batch::operator[] names a missing key)
        in.input = (*batch)[options_.image_key()].to(device_, at::kFloat);
        if (options_.channels_last())
            in.input = channelsLast(in.input);
    }
    if (scored && in.input.sizes().slice(2) != in.target.sizes().slice(2))
        throw ShapeError("image and label sizes differ: " + c10::str(in.input.sizes().slice(2)) +
                             " vs " + c10::str(in.target.sizes().slice(2)),
                         batch->records.empty() ? std::string()
                                                : Dataset::describe(batch->records.front()),
                         options_.data_field());
    MetricCall call;
    call.caseIds = caseIds(*batch, options_.image_key());
    call.spacing = rowSpacing(*batch, options_.image_key(), in.input.dim() - 2);
    last_.records = std::move(batch->records);
    if (auto a = batch->affines.find(options_.image_key()); a != batch->affines.end())
        last_.affines = a->second;
    batch.reset();
    last_.prediction = predict(in.input, &cancel).contiguous();
    if (!scored)
        return;
    last_.label = in.target;
    const auto [yPred, y] = post_(last_.prediction, in.target);
    for (auto& m : metrics_)
        (*m.second)(yPred, y, call);
}

void Evaluator::aggregate() {
    WorkflowState& s = state();
    for (const auto& [name, metric] : metrics_) {
        if (metric->caseIds().empty())
            continue; // nothing evaluated (empty or unlabelled set)
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

MetricTable Evaluator::table() const {
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
