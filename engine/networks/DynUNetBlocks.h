#pragma once
/// MONAI's DynUNet blocks (monai.networks.blocks.dynunet_block), with MONAI's
/// child names. Kernel and stride are one value or one per spatial axis.
///   UnetBasicBlock: conv1 (strided) -> norm1 -> lrelu -> conv2 -> norm2 -> lrelu
///   UnetResBlock:   the same plus a residual (conv3 1x1 strided + norm3 when
///                   the stride or the channels change), added before the last act
///   UnetUpBlock:    transp_conv (kernel = stride = upsample_kernel_size), cat
///                   with the skip, UnetBasicBlock "conv_block"
///   UnetOutBlock:   1x1 conv with bias
/// Every conv is MONAI's Convolution ("conv" + "adn" holding only the dropout),
/// padding (k - s + 1) / 2, bias false unless stated.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>

#include "engine/networks/Convolution.h"
#include "engine/networks/LayerSpec.h"

namespace medulla {

struct UnetBlockOptions {
    int spatial_dims = 3;
    int64_t in_channels = 1;
    int64_t out_channels = 1;
    std::vector<int64_t> kernel_size{3};
    std::vector<int64_t> stride{1};
    LayerSpec norm_name = LayerSpec("instance", {{"affine", true}});
    LayerSpec act_name = LayerSpec("leakyrelu", {{"negative_slope", 0.01}});
    LayerSpec dropout;
};

/// MONAI's dynunet get_conv_layer (act and norm None, conv_only False).
Convolution dynConv(const UnetBlockOptions& o, int64_t in, int64_t out,
                    const std::vector<int64_t>& kernel, const std::vector<int64_t>& stride,
                    bool bias, bool transposed);

/// Basic (res = false) or residual (res = true) block.
class UnetConvBlockImpl : public torch::nn::Module {
public:
    UnetConvBlockImpl(const UnetBlockOptions& o, bool res);
    at::Tensor forward(at::Tensor x);

private:
    Convolution conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
    torch::nn::AnyModule act_, norm1_, norm2_, norm3_;
    bool res_;
};
TORCH_MODULE(UnetConvBlock);

class UnetUpBlockImpl : public torch::nn::Module {
public:
    UnetUpBlockImpl(const UnetBlockOptions& o, const std::vector<int64_t>& upsampleKernel,
                    bool transBias);
    at::Tensor forward(at::Tensor x, at::Tensor skip);

private:
    Convolution transp_{nullptr};
    UnetConvBlock block_{nullptr};
};
TORCH_MODULE(UnetUpBlock);

} // namespace medulla
