#include "engine/training/handlers/MetricsSaver.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "engine/core/AtomicFile.h"
#include "engine/metrics/Metric.h"
#include "engine/training/Evaluator.h"

namespace fs = std::filesystem;

namespace medulla {

MetricsSaver::MetricsSaver(MetricsSaverOptions options) : options_(std::move(options)) {}

std::string MetricsSaver::metricsPath() const {
    return (fs::path(options_.save_dir()) / options_.metrics_file()).string();
}

std::string MetricsSaver::casesPath(int64_t epoch) const {
    return (fs::path(options_.save_dir()) / ("val_cases_epoch" + std::to_string(epoch) + ".csv"))
        .string();
}

std::string MetricsSaver::bestCasesPath() const {
    return (fs::path(options_.save_dir()) / "val_cases_best.csv").string();
}

void MetricsSaver::attach(Workflow& workflow) {
    auto* evaluator = dynamic_cast<Evaluator*>(&workflow);
    if (!evaluator)
        throw std::invalid_argument("MetricsSaver attaches to an Evaluator, not to \"" +
                                    workflow.name() + "\"");
    workflow.on(Event::EpochCompleted, [this, evaluator](Workflow&) { save(*evaluator); });
}

void MetricsSaver::loadEarlierRows(int64_t firstEpoch) {
    std::ifstream in(metricsPath());
    std::string header, line;
    if (!in || !std::getline(in, header))
        return;
    std::string expected = "epoch";
    for (const auto& c : columns_)
        expected += "," + csvField(c);
    if (header != expected)
        return; // another experiment's file: replaced
    while (std::getline(in, line)) {
        try {
            if (!line.empty() && std::stoll(line.substr(0, line.find(','))) < firstEpoch)
                lines_.push_back(line);
        } catch (const std::exception&) {
            // not a row of ours: dropped
        }
    }
}

void MetricsSaver::save(Evaluator& evaluator) {
    const WorkflowState& s = evaluator.state();
    if (!started_) {
        started_ = true;
        if (s.metrics.count(s.keyMetricName))
            columns_.push_back(s.keyMetricName);
        for (const auto& kv : s.metrics)
            if (kv.first != s.keyMetricName)
                columns_.push_back(kv.first);
        loadEarlierRows(s.epoch);
    }
    std::string row = std::to_string(s.epoch);
    for (const auto& c : columns_) {
        auto it = s.metrics.find(c);
        row += "," + csvNumber(it == s.metrics.end() ? std::nan("") : it->second);
    }
    lines_.push_back(row);
    std::string csv = "epoch";
    for (const auto& c : columns_)
        csv += "," + csvField(c);
    csv += "\n";
    for (const auto& l : lines_)
        csv += l + "\n";
    writeTextAtomically(metricsPath(), csv);

    if (!options_.save_per_epoch() && !(options_.save_best() && evaluator.improved()))
        return;
    const MetricTable table = evaluator.table();
    if (options_.save_per_epoch())
        table.writeCsv(casesPath(s.epoch));
    if (options_.save_best() && evaluator.improved())
        table.writeCsv(bestCasesPath());
}

} // namespace medulla
