#pragma once
/// VoteEnsembled: MONAI's VoteEnsembled, the majority vote of several
/// models' discrete predictions (EnsembleOps.h: voteEnsemble; key
/// handling: Ensembled.h).

#include <torch/arg.h>

#include <optional>

#include "engine/transforms/Ensembled.h"

namespace medulla {

struct VoteEnsembledOptions {
    /// The models' predictions (or one key holding them stacked on dim 0).
    TORCH_ARG(std::vector<std::string>, keys) = {};
    /// Key of the result; "" = the only key (required with several keys).
    TORCH_ARG(std::string, output_key) = "";
    /// Number of classes of label-map inputs (one channel); none = one-hot
    /// inputs voted per channel.
    TORCH_ARG(std::optional<int64_t>, num_classes) = std::nullopt;
};

class VoteEnsembled : public Ensembled {
public:
    /// Throws ConfigError naming VoteEnsembled.num_classes when it is < 1.
    explicit VoteEnsembled(VoteEnsembledOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);
    Json toJson() const override;

protected:
    at::Tensor ensemble(const at::Tensor& stacked) const override;

private:
    VoteEnsembledOptions options_;
};

} // namespace medulla
