#pragma once
/// MONAI's UNETR (Hatamizadeh et al.): a ViT encoder (patch 16, 12 blocks)
/// whose hidden states 3, 6, 9 and the final normalised tokens feed a
/// convolutional decoder. Same constructor parameters and the same state-dict
/// keys ("vit.patch_embedding.position_embeddings",
/// "vit.blocks.0.attn.qkv.weight", "encoder1.layer.conv1.conv.weight",
/// "out.conv.conv.weight", ...), so MONAI weights load unchanged.
/// Input (B, in_channels, *img_size), exactly img_size (every axis a
/// multiple of 16) -> (B, out_channels, *img_size).

#include <torch/arg.h>

#include "engine/networks/LayerSpec.h"
#include "engine/networks/Network.h"
#include "engine/networks/UnetrBlocks.h"
#include "engine/networks/ViT.h"

namespace medulla {

struct UNETROptions {
    TORCH_ARG(int64_t, in_channels) = 1;
    TORCH_ARG(int64_t, out_channels) = 2;
    /// One value (isotropic) or one per spatial axis; multiples of 16.
    TORCH_ARG(std::vector<int64_t>, img_size) = {96};
    TORCH_ARG(int64_t, feature_size) = 16;
    TORCH_ARG(int64_t, hidden_size) = 768;
    TORCH_ARG(int64_t, mlp_dim) = 3072;
    TORCH_ARG(int64_t, num_heads) = 12;
    /// Patch embedding: "conv" or "perceptron" (MONAI 1.3.2's proj_type;
    /// its deprecated alias pos_embed is read into this field).
    TORCH_ARG(std::string, proj_type) = "conv";
    TORCH_ARG(LayerSpec, norm_name) = "instance";
    TORCH_ARG(bool, conv_block) = true;
    TORCH_ARG(bool, res_block) = true;
    TORCH_ARG(double, dropout_rate) = 0.0;
    TORCH_ARG(int64_t, spatial_dims) = 3;
    TORCH_ARG(bool, qkv_bias) = false;
    TORCH_ARG(bool, save_attn) = false;
};

class UNETRImpl : public Network {
public:
    /// Throws ConfigError naming the field for impossible parameters.
    explicit UNETRImpl(UNETROptions options);
    static ComponentInfo info();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);

    /// ConfigError naming network.img_size if the input's spatial size differs.
    at::Tensor forward(at::Tensor x) override;
    int64_t outChannels() const override { return options_.out_channels(); }
    /// 16 (the patch size); the input must moreover equal img_size.
    int64_t sizeDivisor() const override { return 16; }
    Json toJson() const override;
    const UNETROptions& options() const { return options_; }
    /// The ViT backbone (attention matrices when save_attn).
    const vit::ViT& vit() const { return vit_; }

private:
    at::Tensor projFeat(const at::Tensor& tokens) const;

    UNETROptions options_;
    std::vector<int64_t> imgSize_, featSize_;
    vit::ViT vit_{nullptr};
    unetr::UnetrBasicBlock encoder1_{nullptr};
    unetr::UnetrPrUpBlock encoder2_{nullptr}, encoder3_{nullptr}, encoder4_{nullptr};
    unetr::UnetrUpBlock decoder5_{nullptr}, decoder4_{nullptr}, decoder3_{nullptr},
        decoder2_{nullptr};
    unetr::UnetOutBlock out_{nullptr};
};
TORCH_MODULE(UNETR);

} // namespace medulla
