#pragma once
/// The "metrics" group of a MONAI parity directory: build the metric from
/// the case's MONAI parameters through metricRegistry(), call it once on
/// y_pred / y (with the case's call_params) and aggregate().

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>
#include <string>

namespace medulla::parity {

/// True if Medulla has a metric named `op` (metricRegistry()).
bool hasMetric(const std::string& op);

/// Runs the case. Returns "raw" (the per-call values), and for each
/// aggregated value "aggregate[<name>]" / "not_nans[<name>]" (names as in
/// metric_name for ConfusionMatrixMetric), plus "aggregate" / "not_nans"
/// when there is only one (a 0-d not_nans as (1,), the parity set's
/// shape). Throws what the metric throws.
std::map<std::string, at::Tensor> runMetricCase(const nlohmann::json& spec, const std::string& dir);

} // namespace medulla::parity
