#pragma once
/// MONAI 1.3's ensembles (monai.transforms.MeanEnsemble, VoteEnsemble) on
/// the predictions of E models, given as a list of E tensors of equal shape
/// (C, *spatial) (or any shape, e.g. batched (B, C, *spatial)) or as one
/// tensor stacked along dim 0 (E, ...). The inputs are never modified; the
/// result has the shape of one item and the dtype of the first item (of the
/// stacked tensor), as MONAI's post_convert gives. Errors: ShapeError for
/// items that do not stack and weights that do not broadcast, ConfigError
/// naming "<op>.<param>" for impossible parameters.

#include <ATen/Tensor.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace medulla {

/// torch.stack of the items; ShapeError listing the shapes if they differ
/// (or if there are none).
at::Tensor stackEnsembleItems(const std::vector<at::Tensor>& items, const char* op);

/// MeanEnsemble: mean over dim 0 of the stacked predictions. `weights`
/// (undefined = none; any shape of at most the stacked rank, float32): its
/// dims weight the leading dims of the stack (1-D: one weight per model;
/// 2-D (E, C): per model and channel, ...; trailing dims are added as 1),
/// normalised by their mean over the model axis: out = mean_e(x_e * w_e /
/// mean_e(w_e)). Weights whose model-axis mean is 0 throw ConfigError
/// naming MeanEnsemble.weights (MONAI would return inf/nan); a
/// non-floating input is averaged in float32 and converted back
/// (truncating, as MONAI's convert_to_dst_type does).
at::Tensor meanEnsemble(const at::Tensor& stacked, const at::Tensor& weights = {});
at::Tensor meanEnsemble(const std::vector<at::Tensor>& items, const at::Tensor& weights = {});

/// VoteEnsemble. numClasses none: one-hot (or multi-label) inputs, each
/// element becomes round(mean over models) (round half to even, so a tie of
/// 1s and 0s gives 0). numClasses given and items with one channel
/// (E, 1, ...) or no channel (E,): label maps; each label is one-hot
/// encoded (labels outside [0, numClasses) throw ConfigError naming
/// VoteEnsemble.num_classes), the votes averaged and the most frequent
/// label taken (argmax: a tie goes to the smallest label); the channel dim
/// is kept (dropped for (E,) input). numClasses given with multi-channel
/// items: the argmax over channels of the mean of the one-hot votes (MONAI
/// warns but does this). Output dtype: the input's.
at::Tensor voteEnsemble(const at::Tensor& stacked, std::optional<int64_t> numClasses = {});
at::Tensor voteEnsemble(const std::vector<at::Tensor>& items,
                        std::optional<int64_t> numClasses = {});

} // namespace medulla
