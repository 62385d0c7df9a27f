#pragma once
/// Base of every registered loss: input (B, C, *spatial) logits or
/// probabilities, target as the loss documents, result a differentiable
/// tensor (0-d when reduced).

#include <ATen/Tensor.h>

#include <memory>

#include "engine/core/Params.h"

namespace medulla {

class Loss {
public:
    virtual ~Loss() = default;
    virtual at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const = 0;
    virtual Json toJson() const = 0;
};

using LossPtr = std::shared_ptr<Loss>;

/// Built-in losses (DiceLoss, ...), filled on first use.
Registry<Loss>& lossRegistry();

} // namespace medulla
