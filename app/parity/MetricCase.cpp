#include "app/parity/MetricCase.h"

#include <stdexcept>

#include "engine/io/Npy.h"
#include "engine/metrics/Metric.h"

namespace medulla::parity {
namespace {

using Json = nlohmann::json;

std::vector<double> numbers(const Json& v) {
    return v.is_array() ? v.get<std::vector<double>>() : std::vector<double>{v.get<double>()};
}

/// MONAI's spacing call argument: a number, one value per axis, or one such
/// entry per sample.
std::vector<std::vector<double>> spacingOf(const Json& v) {
    if (v.is_null())
        return {};
    if (v.is_array() && !v.empty() && v[0].is_array()) {
        std::vector<std::vector<double>> perSample;
        for (const Json& s : v)
            perSample.push_back(numbers(s));
        return perSample;
    }
    return {numbers(v)};
}

} // namespace

bool hasMetric(const std::string& op) {
    return metricRegistry().contains(op);
}

std::map<std::string, at::Tensor> runMetricCase(const Json& spec, const std::string& dir) {
    Json config = spec.value("params", Json::object());
    config["name"] = spec["op"];
    const MetricPtr metric = metricRegistry().create(config, "metric");
    auto input = [&](const char* name) {
        return readNpy(dir + "/" + spec["inputs"][name].get<std::string>()).to(torch::kFloat);
    };
    MetricCall call;
    const Json callParams = spec.value("call_params", Json::object());
    for (auto it = callParams.begin(); it != callParams.end(); ++it) {
        if (it.key() != "spacing")
            throw std::runtime_error("unsupported call parameter \"" + it.key() + "\"");
        call.spacing = spacingOf(it.value());
    }
    std::map<std::string, at::Tensor> out;
    out["raw"] = (*metric)(input("y_pred"), input("y"), call);
    const std::vector<MetricValue> values = metric->aggregate();
    for (const MetricValue& v : values) {
        // MONAI's "mean" not_nans is 0-d; the parity set stores it as (1,)
        const at::Tensor notNans = v.notNans.dim() == 0 ? v.notNans.reshape({1}) : v.notNans;
        out["aggregate[" + v.name + "]"] = v.value;
        out["not_nans[" + v.name + "]"] = notNans;
        if (values.size() == 1) {
            out["aggregate"] = v.value;
            out["not_nans"] = notNans;
        }
    }
    return out;
}

} // namespace medulla::parity
