#pragma once
/// The transformer encoder of MONAI's ViT as UNETR uses it (no class token,
/// no classification head): PatchEmbeddingBlock, MLPBlock, SABlock and
/// TransformerBlock with MONAI's child names, so keys such as
/// "patch_embedding.position_embeddings", "blocks.0.attn.qkv.weight" and
/// "blocks.0.mlp.linear1.weight" are identical. Tokens are (B, N, hidden).
/// Kept in namespace medulla::vit so they cannot clash with other networks.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "engine/networks/Sequence.h"

namespace medulla::vit {

/// Fills `t` from N(0, std) truncated to [a, b] (MONAI's trunc_normal_).
void truncNormal(at::Tensor t, double std, double a, double b);

/// einops' "b c (h p1) (w p2) (d p3) -> b (h w d) (p1 p2 p3 c)" for 1-3
/// spatial axes: (B, C, *S) -> (B, prod(S / p), prod(p) * C).
class PatchRearrangeImpl : public torch::nn::Module {
public:
    explicit PatchRearrangeImpl(std::vector<int64_t> patch) : patch_(std::move(patch)) {}
    at::Tensor forward(at::Tensor x);

private:
    std::vector<int64_t> patch_;
};
TORCH_MODULE(PatchRearrange);

struct PatchEmbeddingOptions {
    int spatial_dims = 3;
    int64_t in_channels = 1;
    std::vector<int64_t> img_size;   ///< one per axis
    std::vector<int64_t> patch_size; ///< one per axis
    int64_t hidden_size = 768;
    std::string proj_type = "conv"; ///< "conv" or "perceptron"
    double dropout_rate = 0.0;
};

/// Patches -> tokens plus a learnable position embedding, then dropout.
/// (B, in, *img_size) -> (B, n_patches, hidden).
class PatchEmbeddingBlockImpl : public torch::nn::Module {
public:
    explicit PatchEmbeddingBlockImpl(const PatchEmbeddingOptions& o);
    at::Tensor forward(at::Tensor x);

private:
    bool conv_;
    at::Tensor positionEmbeddings_;
    torch::nn::AnyModule patchEmbeddings_;
    torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(PatchEmbeddingBlock);

/// linear1 -> GELU (exact) -> drop1 -> linear2 -> drop2.
class MLPBlockImpl : public torch::nn::Module {
public:
    MLPBlockImpl(int64_t hidden, int64_t mlpDim, double dropout);
    at::Tensor forward(at::Tensor x);

private:
    torch::nn::Linear linear1_{nullptr}, linear2_{nullptr};
    torch::nn::AnyModule fn_;
    torch::nn::Dropout drop1_{nullptr}, drop2_{nullptr};
};
TORCH_MODULE(MLPBlock);

/// Multi-head self-attention (scaled dot product over the tokens).
class SABlockImpl : public torch::nn::Module {
public:
    SABlockImpl(int64_t hidden, int64_t heads, double dropout, bool qkvBias, bool saveAttn);
    at::Tensor forward(at::Tensor x);
    /// The last attention matrix (B, heads, N, N) when save_attn, else empty.
    const at::Tensor& attention() const { return attMat_; }

private:
    int64_t heads_, dimHead_;
    double scale_;
    bool saveAttn_;
    at::Tensor attMat_;
    torch::nn::Linear outProj_{nullptr}, qkv_{nullptr};
    torch::nn::Dropout dropOutput_{nullptr}, dropWeights_{nullptr};
};
TORCH_MODULE(SABlock);

/// x + attn(norm1(x)), then + mlp(norm2(x)).
class TransformerBlockImpl : public torch::nn::Module {
public:
    TransformerBlockImpl(int64_t hidden, int64_t mlpDim, int64_t heads, double dropout,
                         bool qkvBias, bool saveAttn);
    at::Tensor forward(at::Tensor x);
    const SABlock& attn() const { return attn_; }

private:
    MLPBlock mlp_{nullptr};
    torch::nn::LayerNorm norm1_{nullptr};
    SABlock attn_{nullptr};
    torch::nn::LayerNorm norm2_{nullptr};
};
TORCH_MODULE(TransformerBlock);

struct ViTOptions {
    PatchEmbeddingOptions embedding;
    int64_t mlp_dim = 3072;
    int64_t num_layers = 12;
    int64_t num_heads = 12;
    bool qkv_bias = false;
    bool save_attn = false;
};

/// ViT backbone without classification: returns norm(tokens) and every
/// block's output (hidden states), each (B, n_patches, hidden).
class ViTImpl : public torch::nn::Module {
public:
    explicit ViTImpl(const ViTOptions& o);
    std::pair<at::Tensor, std::vector<at::Tensor>> forward(at::Tensor x);
    const std::vector<TransformerBlock>& blocks() const { return blockList_; }

private:
    PatchEmbeddingBlock patchEmbedding_{nullptr};
    Sequence blocks_{nullptr};
    std::vector<TransformerBlock> blockList_;
    torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(ViT);

} // namespace medulla::vit
