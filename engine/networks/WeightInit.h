#pragma once
/// The weight initialisation MONAI's classification networks (DenseNet,
/// SENet) apply after construction: Kaiming-normal (fan-in, gain sqrt(2))
/// convolution weights, BatchNorm weight 1 / bias 0, Linear bias 0.

#include <torch/nn/module.h>

namespace medulla {

/// Walks every sub-module of `net` (not itself: callable from a constructor).
void initClassifierWeights(torch::nn::Module& net);

} // namespace medulla
