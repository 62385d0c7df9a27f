#pragma once
/// MONAI's post-processing array transforms on channel-first tensors
/// (C, *spatial), computed as MONAI 1.3 computes them (checked by the
/// transforms group of ../shared/parity through medulla-parity). The input
/// is never modified. Errors are ShapeError (wrong tensor) or ConfigError
/// (impossible parameter, field "<Op>.<param>").

#include <ATen/Tensor.h>

#include <optional>
#include <string>
#include <vector>

namespace medulla {

/// Activations: sigmoid, or softmax over dim 0, then `other` ("" = none,
/// "tanh", "relu", "sigmoid", "softmax" (dim 0), "log_softmax" (dim 0),
/// "abs", "exp"). Computed in float32, returned in x's dtype (MONAI).
/// sigmoid and softmax together are an error.
at::Tensor activations(const at::Tensor& x, bool sigmoid, bool softmax,
                       const std::string& other = "");
/// The accepted values of `other`.
const std::vector<std::string>& activationChoices();

/// AsDiscrete, in MONAI's order: argmax over dim 0 (keepdim), one-hot
/// with `toOnehot` classes (label values truncated to integers, each in
/// [0, toOnehot)), `x >= threshold`, round half to even ("torchrounding").
/// Returns float32.
at::Tensor asDiscrete(const at::Tensor& x, bool argmax, std::optional<int64_t> toOnehot,
                      std::optional<double> threshold, const std::string& rounding = "");

/// KeepLargestConnectedComponent. appliedLabels: label values (channel
/// indices when one-hot); none = every non-zero label (or every non-empty
/// channel but 0). isOnehot: none = (C > 1). connectivity: none = full.
/// Components of equal size rank by their number in raster order, the
/// later first (numpy's argsort reversed). Same dtype as x.
at::Tensor keepLargestConnectedComponent(const at::Tensor& x,
                                         std::optional<std::vector<double>> appliedLabels,
                                         std::optional<bool> isOnehot, bool independent,
                                         std::optional<int> connectivity,
                                         int64_t numComponents = 1);

/// RemoveSmallObjects (skimage.morphology.remove_small_objects on the whole
/// (C, *spatial) array, the channel axis included as MONAI passes it).
/// Values in [.., 1]: components of non-zero voxels smaller than min_size
/// are removed (the rest becomes 1); larger values are taken as labels
/// whose voxel count is compared (no connectivity). Without
/// independentChannels: components of x > 0, x kept where they stay.
/// byMeasure: min_size is a volume in units of pixdim (one value, or one per
/// spatial dim), rounded up to voxels. Same dtype as x.
at::Tensor removeSmallObjects(const at::Tensor& x, double minSize, int connectivity = 1,
                              bool independentChannels = true, bool byMeasure = false,
                              const std::vector<double>& pixdim = {});

/// FillHoles: for each applied label (ascending; none = every non-zero
/// label, or every non-empty channel but 0 when C > 1), the voxels that are
/// not that label and cannot reach the image border through such voxels
/// (with `connectivity`, none = full) take the label. Same dtype as x.
at::Tensor fillHoles(const at::Tensor& x, std::optional<std::vector<double>> appliedLabels,
                     std::optional<int> connectivity);

} // namespace medulla
