#pragma once
/// MONAI's EnsembleEvaluator: an Evaluator (see Evaluator.h: one pass over
/// the loader, post-processing, key and additional metrics, per-case table,
/// lastOutput() for handlers) whose prediction combines N networks run
/// through one Inferer (each by inferNetwork(): eval mode, no gradients,
/// padded to its size divisor, inside hooks.autocast when set).
///
/// Combination (mode):
///   "mean"  the weighted mean of the members' softmax probabilities
///           (MeanEnsemble: sum_k w_k softmax(pred_k) / sum_k w_k; equal
///           weights by default). MONAI's EnsembleEvaluator itself only
///           stores pred_0..pred_N; its tutorials activate them (softmax or
///           sigmoid) before MeanEnsembled, which is what this does. The
///           prediction is the (B, C, *spatial) float32 probabilities.
///   "vote"  each member's label (argmax over the channels), then the
///           majority label per voxel (VoteEnsemble: a tie goes to the
///           smallest label). The prediction is the one-hot float32
///           (B, C, *spatial) of the voted labels, so argmax-based
///           post-processing, the metrics and SegmentationSaver ("label"
///           mode) work unchanged.
/// MONAI leaves the combination to user post-transforms; here it is fixed,
/// so that handlers and metrics see one prediction.
///
/// Scoring the members (score_members): each member's prediction goes
/// through the same post-processing and the key metric's computation, kept
/// as an extra metric named "model_<k>": its value lands in
/// state().metrics["model_<k>"] (the key metric's reduction of the
/// member's per-case values) and its per-case column "model_<k>" (the mean
/// over the non-NaN classes of each case) in table(), after the key
/// metric's columns. MetricsSaver therefore writes them too.
///
/// Memory: the members' raw predictions of the current batch are kept
/// until the next batch when score_members is on (N x the prediction).
///
/// Threads: run() on one thread; the networks must be on `device` and not
/// be used elsewhere while it runs.

#include <torch/arg.h>

#include <string>
#include <vector>

#include "engine/inference/Inferer.h"
#include "engine/networks/Network.h"
#include "engine/training/Evaluator.h"

namespace medulla {

struct EnsembleEvaluatorOptions {
    /// "mean" (weighted mean of the softmax probabilities) or "vote".
    TORCH_ARG(std::string, mode) = "mean";
    /// "mean" only: one weight >= 0 per network, not all 0; empty = equal.
    TORCH_ARG(std::vector<double>, weights) = {};
    /// Also score every member (metrics and columns "model_<k>").
    TORCH_ARG(bool, score_members) = false;

public:
    /// Throws ConfigError naming "mode" or "weights" (with the offending
    /// value) when these options cannot combine `networks` models.
    void check(size_t networks) const;
};

class EnsembleEvaluator : public Evaluator {
public:
    /// `loader` must outlive the evaluator. `networks`: at least one, all
    /// with the same outChannels() (ConfigError naming "models[k]"
    /// otherwise). `keyMetric` null: DiceMetric without the background;
    /// `inferer` null: SimpleInferer. Throws what ensemble.check() throws.
    EnsembleEvaluator(c10::Device device, DataLoader& loader, std::vector<NetworkPtr> networks,
                      EnsembleEvaluatorOptions ensemble = {}, EvaluatorOptions options = {},
                      MetricPtr keyMetric = nullptr, InfererPtr inferer = nullptr);

    std::string name() const override { return "ensemble_evaluator"; }

    void setInferer(InfererPtr inferer);
    /// Every member's prediction of `input` (B, C_in, *spatial), combined as
    /// the mode says: (B, C, *spatial) float32 on the device. Keeps the
    /// members' raw predictions when score_members is on.
    at::Tensor predict(const at::Tensor& input, const CancelToken* cancel = nullptr) override;
    int64_t numClasses() const override { return networks_.front()->outChannels(); }

    size_t size() const { return networks_.size(); }
    Network& network(size_t k) { return *networks_.at(k); }
    const EnsembleEvaluatorOptions& ensembleOptions() const { return ensemble_; }
    /// Member k's raw prediction (B, C, *spatial) of the last predict();
    /// undefined unless score_members is on.
    const at::Tensor& memberPrediction(size_t k) const { return members_.at(k); }
    /// The name of member k's metric: "model_<k>".
    static std::string memberName(size_t k);

    /// One row per scored case of the last run: the "model_<k>" columns
    /// (with score_members) then "ensemble", each the mean over the case's
    /// non-NaN key-metric values (classes); NaN when there are none.
    MetricTable summaryTable() const;

private:
    std::vector<NetworkPtr> networks_;
    EnsembleEvaluatorOptions ensemble_;
    InfererPtr inferer_;
    at::Tensor weights_; ///< (N,) float32 on the device, or undefined
    std::vector<at::Tensor> members_;
};

} // namespace medulla
