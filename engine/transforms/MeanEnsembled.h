#pragma once
/// MeanEnsembled: MONAI's MeanEnsembled, the (weighted) mean of the
/// predictions of several models (EnsembleOps.h: meanEnsemble; key
/// handling: Ensembled.h).

#include <torch/arg.h>

#include "engine/transforms/Ensembled.h"

namespace medulla {

struct MeanEnsembledOptions {
    /// The models' predictions (or one key holding them stacked on dim 0).
    TORCH_ARG(std::vector<std::string>, keys) = {};
    /// Key of the result; "" = the only key (required with several keys).
    TORCH_ARG(std::string, output_key) = "";
    /// float32 weights: (E,) per model, (E, C) per model and channel, ...;
    /// undefined or empty = plain mean. In JSON a list or nested lists.
    TORCH_ARG(at::Tensor, weights) = {};
};

class MeanEnsembled : public Ensembled {
public:
    explicit MeanEnsembled(MeanEnsembledOptions options);
    static ComponentInfo info();
    /// weights: a number list or rectangular nested lists (ConfigError
    /// naming "<context>.weights" otherwise).
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);
    /// MONAI's weights as JSON (a number, a list or rectangular nested
    /// lists; null = none) -> float32 tensor (undefined for none).
    /// ConfigError naming `field` otherwise.
    static at::Tensor weightsFromJson(const Json& weights, const std::string& field);
    Json toJson() const override;

protected:
    at::Tensor ensemble(const at::Tensor& stacked) const override;

private:
    MeanEnsembledOptions options_;
};

} // namespace medulla
