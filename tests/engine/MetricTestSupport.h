#pragma once
/// Helpers of the metric suites: masks written as 0/1 strings, metrics from
/// JSON through the registry, and scalar reads.

#include <torch/torch.h>

#include <QtTest>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/Error.h"
#include "engine/metrics/Metric.h"

namespace medulla::test {

/// (B, C, N) float32 from one 0/1 string of length N per (case, class).
inline at::Tensor masks(const std::vector<std::vector<std::string>>& cases) {
    const int64_t b = int64_t(cases.size()), c = int64_t(cases[0].size()),
                  n = int64_t(cases[0][0].size());
    at::Tensor t = torch::zeros({b, c, n});
    for (int64_t i = 0; i < b; ++i)
        for (int64_t k = 0; k < c; ++k)
            for (int64_t v = 0; v < n; ++v)
                t[i][k][v] = cases[size_t(i)][size_t(k)][size_t(v)] == '1' ? 1.f : 0.f;
    return t;
}

inline MetricPtr makeMetric(const Json& config) {
    return metricRegistry().create(config, "metric");
}

inline double at1(const at::Tensor& t, std::vector<int64_t> index = {}) {
    at::Tensor v = t.to(torch::kDouble);
    for (int64_t i : index)
        v = v[i];
    return v.reshape({-1})[0].item<double>();
}

/// |got - want| <= 1e-6 (NaN == NaN), with both numbers in the message.
inline bool near(double got, double want, double tol = 1e-6) {
    const bool ok = (std::isnan(got) && std::isnan(want)) || std::fabs(got - want) <= tol;
    if (!ok)
        qWarning("got %.9g, want %.9g", got, want);
    return ok;
}

/// Runs `f`, which must throw E; returns its message and field.
template <class E, class F> std::pair<std::string, std::string> thrown(F f) {
    try {
        f();
    } catch (const E& e) {
        return {e.what(), e.field()};
    }
    return {"<nothing thrown>", ""};
}

} // namespace medulla::test
