#pragma once
/// The convolution blocks of MONAI's UNETR (UnetrBasicBlock, UnetrPrUpBlock,
/// UnetrUpBlock, UnetOutBlock), built from DynUNet's blocks and convolutions
/// (DynUNetBlocks.h) as MONAI builds them. Child names match
/// MONAI's, so state-dict keys are identical ("conv1.conv.weight", "norm1.*",
/// "transp_conv.conv.weight", "blocks.0.1.conv1.conv.weight", ...).
/// Kept in namespace medulla::unetr so they cannot clash with other networks'
/// blocks.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "engine/networks/Convolution.h"
#include "engine/networks/DynUNetBlocks.h"
#include "engine/networks/LayerSpec.h"
#include "engine/networks/Sequence.h"

namespace medulla::unetr {

/// The blocks' options: DynUNet's (UNETR builds on MONAI's dynunet blocks).
using ConvBlockOptions = UnetBlockOptions;

/// A residual or a basic block (DynUNet's UnetConvBlock), as AnyModule.
torch::nn::AnyModule makeUnetBlock(const ConvBlockOptions& o, bool residual);

/// A 1x1 convolution with bias ("conv.conv.weight").
class UnetOutBlockImpl : public torch::nn::Module {
public:
    UnetOutBlockImpl(int dims, int64_t in, int64_t out);
    at::Tensor forward(at::Tensor x) { return conv_->forward(x); }

private:
    Convolution conv_{nullptr};
};
TORCH_MODULE(UnetOutBlock);

/// UnetrBasicBlock: one residual or basic block named "layer".
class UnetrBasicBlockImpl : public torch::nn::Module {
public:
    UnetrBasicBlockImpl(const ConvBlockOptions& o, bool resBlock);
    at::Tensor forward(at::Tensor x) { return layer_.forward(x); }

private:
    torch::nn::AnyModule layer_;
};
TORCH_MODULE(UnetrBasicBlock);

/// UnetrPrUpBlock: a transposed convolution (upsample_kernel_size, same
/// stride) from in to out channels, then num_layer further up-samplings, each
/// a transposed convolution followed by a block when conv_block is set.
/// (B, in, *S) -> (B, out, *S * up^(num_layer + 1)).
class UnetrPrUpBlockImpl : public torch::nn::Module {
public:
    UnetrPrUpBlockImpl(const ConvBlockOptions& o, int64_t numLayer,
                       const std::vector<int64_t>& upsampleKernel, bool convBlock, bool resBlock);
    at::Tensor forward(at::Tensor x);

private:
    Convolution transpConvInit_{nullptr};
    Sequence blocks_{nullptr};
};
TORCH_MODULE(UnetrPrUpBlock);

/// UnetrUpBlock: transposed convolution (in -> out), concatenation with the
/// skip (out channels), then a block (2 * out -> out).
class UnetrUpBlockImpl : public torch::nn::Module {
public:
    UnetrUpBlockImpl(const ConvBlockOptions& o, const std::vector<int64_t>& upsampleKernel,
                     bool resBlock);
    at::Tensor forward(at::Tensor x, at::Tensor skip);

private:
    Convolution transpConv_{nullptr};
    torch::nn::AnyModule convBlock_;
};
TORCH_MODULE(UnetrUpBlock);

} // namespace medulla::unetr
