#pragma once
/// The "inference" group of a MONAI parity directory:
/// sliding_window_inference (built through makeInferer from the case's
/// params, so the JSON schema is checked too) with the parity predictor,
/// and the ensembles MeanEnsemble / VoteEnsemble (tests/data/inference).

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>
#include <string>

namespace medulla::parity {

/// True for sliding_window_inference, MeanEnsemble and VoteEnsemble.
bool hasInference(const std::string& op);

/// sliding_window_inference: "output" = the inferer's result on the "inputs"
/// input with predictor Conv{2,3}d(weight, bias, padding k/2) ->
/// InstanceNorm (eps 1e-5) [-> nearest upsampling by the case's
/// "predictor_zoom" | average pooling by "predictor_pool"], weights from the
/// "predictor_weight"/"predictor_bias" inputs. Ensembles: "img" from the
/// "img" input (stacked) or "img0", "img1", ... (a list).
std::map<std::string, at::Tensor> runInferenceCase(const nlohmann::json& spec,
                                                   const std::string& dir);

} // namespace medulla::parity
