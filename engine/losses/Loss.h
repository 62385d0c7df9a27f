#pragma once
/// Base of every registered loss: input (B, C, *spatial) logits or
/// probabilities, target as the loss documents, result a differentiable
/// tensor (0-d when reduced) of the input's dtype on the input's device.

#include <ATen/Tensor.h>

#include <memory>

#include "engine/core/Params.h"

namespace medulla {

class Loss {
public:
    virtual ~Loss() = default;
    virtual at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const = 0;
    /// The loss restricted to a spatial mask (B or 1, 1, *spatial) with values
    /// in [0, 1] (MaskedDiceLoss). Losses that take no mask throw ConfigError.
    virtual at::Tensor masked(const at::Tensor& input, const at::Tensor& target,
                              const at::Tensor& mask) const;
    /// target.dim() - input.dim() for a plain (not deep-supervision stacked)
    /// input: 0 when the target keeps a channel axis (B, 1 or C, *spatial),
    /// -1 for losses whose target is a (B, *spatial) label map
    /// (GeneralizedWassersteinDiceLoss).
    virtual int64_t targetRankOffset() const { return 0; }
    virtual Json toJson() const = 0;
};

using LossPtr = std::shared_ptr<Loss>;

/// Built-in losses (DiceLoss, FocalLoss, DiceCELoss, ...), filled on first use.
Registry<Loss>& lossRegistry();

} // namespace medulla
