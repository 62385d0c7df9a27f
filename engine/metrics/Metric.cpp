#include "engine/metrics/Metric.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"

namespace medulla {

const std::vector<std::string>& metricReductions() {
    static const std::vector<std::string> names = {
        "mean", "sum", "mean_batch", "sum_batch", "mean_channel", "sum_channel", "none"};
    return names;
}

std::pair<at::Tensor, at::Tensor> doMetricReduction(const at::Tensor& fIn,
                                                    const std::string& reduction) {
    const at::Tensor nans = torch::isnan(fIn);
    at::Tensor notNans = ~nans;
    if (reduction == "none")
        return {fIn, notNans.to(torch::kFloat)};
    if (fIn.dim() < 2)
        throw ShapeError("metric reduction \"" + reduction + "\" needs (B, C, ...) values, got " +
                         c10::str(fIn.sizes()));
    const at::Tensor zero = torch::zeros({1}, fIn.options().dtype(torch::kFloat));
    at::Tensor f = fIn.masked_fill(nans, 0);
    auto mean = [&](const at::Tensor& sum, const at::Tensor& count) {
        return torch::where(count > 0, sum.to(torch::kFloat) / count, zero);
    };
    if (reduction == "mean") {
        notNans = notNans.sum(1).to(torch::kFloat);
        f = mean(f.sum(1), notNans);
        notNans = (notNans > 0).sum(0).to(torch::kFloat);
        f = mean(f.sum(0), notNans);
    } else if (reduction == "sum") {
        notNans = notNans.sum(at::IntArrayRef{0, 1}).to(torch::kFloat);
        f = f.sum(at::IntArrayRef{0, 1});
    } else if (reduction == "mean_batch" || reduction == "mean_channel") {
        const int64_t dim = reduction == "mean_batch" ? 0 : 1;
        notNans = notNans.sum(dim).to(torch::kFloat);
        f = mean(f.sum(dim), notNans);
    } else if (reduction == "sum_batch" || reduction == "sum_channel") {
        const int64_t dim = reduction == "sum_batch" ? 0 : 1;
        notNans = notNans.sum(dim).to(torch::kFloat);
        f = f.sum(dim).to(torch::kFloat);
    } else {
        throw ConfigError("unknown reduction \"" + reduction +
                              "\" (known: mean, sum, mean_batch, sum_batch, mean_channel, "
                              "sum_channel, none)",
                          {}, "reduction");
    }
    return {f, notNans};
}

at::Tensor Metric::operator()(const at::Tensor& yPred, const at::Tensor& y,
                              const MetricCall& call) {
    at::Tensor values = compute(yPred, y, call);
    const int64_t batch = yPred.dim() > 0 ? yPred.size(0) : 1;
    if (!call.caseIds.empty() && static_cast<int64_t>(call.caseIds.size()) != batch)
        throw ShapeError(name() + ": " + std::to_string(call.caseIds.size()) +
                         " case ids for a batch of " + std::to_string(batch));
    keep(values, batch, call);
    return values;
}

void Metric::restore(const at::Tensor& values, std::vector<std::string> caseIds) {
    if (values.defined() && values.dim() > 0 && values.size(0) != int64_t(caseIds.size()))
        throw std::invalid_argument("Metric::restore: " + std::to_string(values.size(0)) +
                                    " rows for " + std::to_string(caseIds.size()) + " cases");
    buffer_.clear();
    if (values.defined() && values.numel() > 0)
        buffer_.push_back(values.cpu());
    caseIds_ = std::move(caseIds);
}

void Metric::keep(const at::Tensor& values, int64_t batch, const MetricCall& call) {
    buffer_.push_back(values.detach().cpu());
    for (int64_t b = 0; b < batch; ++b)
        caseIds_.push_back(call.caseIds.empty() ? "case " + std::to_string(caseIds_.size())
                                                : call.caseIds[static_cast<size_t>(b)]);
}

at::Tensor Metric::buffer() const {
    return buffer_.empty() ? at::Tensor() : torch::cat(buffer_, 0);
}

void Metric::reset() {
    buffer_.clear();
    caseIds_.clear();
}

std::vector<MetricValue> Metric::aggregate() const {
    if (buffer_.empty())
        throw std::logic_error(name() + ": aggregate() before any value was computed");
    auto [value, notNans] = doMetricReduction(buffer(), reduction());
    return {MetricValue{name(), value, notNans}};
}

MetricTable Metric::table() const {
    if (buffer_.empty()) {
        MetricTable t;
        t.caseIds = caseIds_;
        return t;
    }
    return perCaseTable(buffer(), shortName());
}

MetricTable Metric::perCaseTable(const at::Tensor& values, const std::string& prefix) const {
    MetricTable t;
    t.caseIds = caseIds_;
    at::Tensor all = values.to(torch::kDouble);
    if (all.dim() == 1)
        all = all.unsqueeze(1);
    all = all.reshape({all.size(0), -1}).contiguous();
    for (int64_t c = 0; c < all.size(1); ++c)
        t.columns.push_back(prefix + "[" + std::to_string(firstClass() + c) + "]");
    const double* p = all.data_ptr<double>();
    for (int64_t i = 0; i < all.size(0); ++i)
        t.rows.emplace_back(p + i * all.size(1), p + (i + 1) * all.size(1));
    return t;
}

void MetricTable::append(const MetricTable& other) {
    if (columns.empty() && caseIds.empty()) {
        *this = other;
        return;
    }
    if (other.caseIds != caseIds)
        throw std::invalid_argument("metric tables hold different cases");
    columns.insert(columns.end(), other.columns.begin(), other.columns.end());
    for (size_t i = 0; i < rows.size(); ++i)
        rows[i].insert(rows[i].end(), other.rows[i].begin(), other.rows[i].end());
}

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string csvNumber(double v) {
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string MetricTable::toCsv() const {
    std::string out = "case";
    for (const auto& c : columns)
        out += "," + csvField(c);
    out += "\n";
    for (size_t i = 0; i < caseIds.size(); ++i) {
        out += csvField(caseIds[i]);
        for (double v : rows[i])
            out += "," + csvNumber(v);
        out += "\n";
    }
    return out;
}

void MetricTable::writeCsv(const std::string& path) const {
    writeTextAtomically(path, toCsv());
}

} // namespace medulla
