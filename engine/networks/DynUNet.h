#pragma once
/// MONAI's DynUNet (nnU-Net style, monai.networks.nets.DynUNet), weight-
/// compatible: "input_block", "downsamples.N", "bottleneck", "upsamples.N",
/// "output_block", "deep_supervision_heads.N" and, as in MONAI's state dict,
/// the same tensors again under "skip_layers.downsample.next_layer...." (an
/// alias, see ModuleAlias.h: listed once by named_parameters, as PyTorch does).
/// Kernel sizes, strides and up-sampling kernels are given per level, each an
/// int or one value per spatial axis (anisotropic, e.g. [[3,3,1],[3,3,3]]).
/// Input (B, in_channels, *spatial), every size a multiple of the product of
/// that axis's strides. Output (B, out_channels, *spatial); in training with
/// deep_supervision, (B, 1 + deep_supr_num, out_channels, *spatial): the main
/// output then the supervision heads of the next deeper decoder levels,
/// nearest-interpolated to full size (MONAI's stacked training output).

#include <torch/arg.h>

#include "engine/networks/DynUNetBlocks.h"
#include "engine/networks/Network.h"

namespace medulla {

using LevelSizes = std::vector<std::vector<int64_t>>;

struct DynUNetOptions {
    TORCH_ARG(int64_t, spatial_dims) = 3;
    TORCH_ARG(int64_t, in_channels) = 1;
    TORCH_ARG(int64_t, out_channels) = 2;
    /// Per level (>= 3 levels); each entry one value or one per axis.
    TORCH_ARG(LevelSizes, kernel_size) = LevelSizes{{3}, {3}, {3}, {3}};
    TORCH_ARG(LevelSizes, strides) = LevelSizes{{1}, {2}, {2}, {2}};
    /// One per up-sampling (levels - 1); also the transposed conv's stride.
    TORCH_ARG(LevelSizes, upsample_kernel_size) = LevelSizes{{2}, {2}, {2}};
    /// Empty: MONAI's default min(2^(5+i), 320 in 3D / 512 in 2D).
    TORCH_ARG(std::vector<int64_t>, filters) = {};
    TORCH_ARG(LayerSpec, dropout) = LayerSpec();
    TORCH_ARG(LayerSpec, norm_name) = LayerSpec("instance", {{"affine", true}});
    TORCH_ARG(LayerSpec, act_name) = LayerSpec("leakyrelu", {{"negative_slope", 0.01}});
    TORCH_ARG(bool, deep_supervision) = false;
    TORCH_ARG(int64_t, deep_supr_num) = 1;
    TORCH_ARG(bool, res_block) = false;
    TORCH_ARG(bool, trans_bias) = false;
};

class DynUNetImpl : public Network {
public:
    explicit DynUNetImpl(DynUNetOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);

    at::Tensor forward(at::Tensor x) override;
    int64_t outChannels() const override { return options_.out_channels(); }
    /// Least common multiple over the axes of the product of the strides.
    int64_t sizeDivisor() const override;
    Json toJson() const override;
    const DynUNetOptions& options() const { return options_; }
    /// The filters in use (given, truncated to the levels, or the default).
    const std::vector<int64_t>& filters() const { return filters_; }

private:
    DynUNetOptions options_;
    std::vector<int64_t> filters_;
    std::vector<UnetConvBlock> down_; ///< input_block, then downsamples
    UnetConvBlock bottleneck_{nullptr};
    std::vector<UnetUpBlock> up_; ///< MONAI's upsamples order (deepest first)
    torch::nn::AnyModule out_;
    std::vector<torch::nn::AnyModule> heads_;
};
TORCH_MODULE(DynUNet);

} // namespace medulla
