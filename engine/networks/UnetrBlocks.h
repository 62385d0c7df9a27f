#pragma once
/// The convolution blocks of MONAI's UNETR: get_conv_layer and the DynUNet
/// blocks it uses (UnetResBlock, UnetBasicBlock, UnetOutBlock) and the UNETR
/// blocks (UnetrBasicBlock, UnetrPrUpBlock, UnetrUpBlock). Child names match
/// MONAI's, so state-dict keys are identical ("conv1.conv.weight", "norm1.*",
/// "transp_conv.conv.weight", "blocks.0.1.conv1.conv.weight", ...).
/// Kept in namespace medulla::unetr so they cannot clash with other networks'
/// blocks.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "engine/networks/Convolution.h"
#include "engine/networks/LayerSpec.h"
#include "engine/networks/Sequence.h"

namespace medulla::unetr {

/// MONAI's get_conv_layer: a Convolution whose padding is
/// (kernel - stride + 1) / 2 (and output padding 2 * padding + stride - kernel
/// when transposed), bias off, norm/act/dropout as given. ConfigError (naming
/// `field`) for a negative padding or output padding.
Convolution makeConvLayer(int dims, int64_t in, int64_t out, const std::vector<int64_t>& kernel,
                          const std::vector<int64_t>& stride, bool transposed,
                          const LayerSpec& dropout = {}, bool bias = false, bool convOnly = false,
                          const std::string& field = "kernel_size");

struct ConvBlockOptions {
    int spatial_dims = 3;
    int64_t in_channels = 1;
    int64_t out_channels = 1;
    std::vector<int64_t> kernel_size{3};
    std::vector<int64_t> stride{1};
    LayerSpec norm_name = "instance";
    LayerSpec act_name = LayerSpec("leakyrelu", {{"inplace", true}, {"negative_slope", 0.01}});
    LayerSpec dropout; ///< none: no dropout module
};

/// Two convolutions with norm and activation, plus a 1x1 convolution + norm
/// on the residual path when the channels or the stride change.
/// (B, in, *S) -> (B, out, *S / stride).
class UnetResBlockImpl : public torch::nn::Module {
public:
    explicit UnetResBlockImpl(const ConvBlockOptions& o);
    at::Tensor forward(at::Tensor x);

private:
    Convolution conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
    torch::nn::AnyModule lrelu_, norm1_, norm2_, norm3_;
};
TORCH_MODULE(UnetResBlock);

/// conv1 -> norm1 -> act -> conv2 -> norm2 -> act.
class UnetBasicBlockImpl : public torch::nn::Module {
public:
    explicit UnetBasicBlockImpl(const ConvBlockOptions& o);
    at::Tensor forward(at::Tensor x);

private:
    Convolution conv1_{nullptr}, conv2_{nullptr};
    torch::nn::AnyModule lrelu_, norm1_, norm2_;
};
TORCH_MODULE(UnetBasicBlock);

/// A residual or a basic block, as AnyModule.
torch::nn::AnyModule makeUnetBlock(const ConvBlockOptions& o, bool residual);

/// A 1x1 convolution with bias ("conv.conv.weight").
class UnetOutBlockImpl : public torch::nn::Module {
public:
    UnetOutBlockImpl(int dims, int64_t in, int64_t out, const LayerSpec& dropout = {});
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
