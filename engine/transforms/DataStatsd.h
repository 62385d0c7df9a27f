#pragma once
/// DataStatsd: log the type, shape, value range (and optionally the values)
/// of each key, as MONAI's DataStats does; the data is never changed. The
/// text goes to transformLog() (TransformLog.h) under the logger name.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct DataStatsdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    /// "<prefix> statistics:" heading; one, or one per key.
    TORCH_ARG(std::vector<std::string>, prefix) = {"Data"};
    TORCH_ARG(bool, data_type) = true;
    TORCH_ARG(bool, data_shape) = true;
    TORCH_ARG(bool, value_range) = true;
    TORCH_ARG(bool, data_value) = false;
    TORCH_ARG(std::string, name) = "DataStats"; ///< logger name passed to the sink
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class DataStatsd : public Transform {
public:
    /// Throws ConfigError for a prefix count that is neither 1 nor len(keys).
    explicit DataStatsd(DataStatsdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "DataStatsd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

    /// The record logged for one volume (what apply() sends to the sink).
    std::string describe(const Volume& volume, const std::string& prefix) const;

private:
    DataStatsdOptions options_;
    std::vector<std::string> prefixes_; ///< one per key
};

} // namespace medulla
