#include "engine/networks/ViT.h"

#include <torch/torch.h>

#include "engine/networks/Layers.h"

namespace medulla::vit {
namespace nn = torch::nn;

void truncNormal(at::Tensor t, double std, double a, double b) {
    torch::NoGradGuard guard;
    // Redraw the few values outside [a, b] (none at MONAI's +-100 sigma).
    t.normal_(0.0, std);
    for (int i = 0; i < 8; ++i) {
        at::Tensor out = (t < a) | (t > b);
        if (!out.any().item<bool>())
            return;
        t.masked_scatter_(out, torch::randn_like(t).mul_(std).masked_select(out));
    }
    t.clamp_(a, b);
}

at::Tensor PatchRearrangeImpl::forward(at::Tensor x) {
    const int64_t dims = int64_t(patch_.size());
    std::vector<int64_t> split{x.size(0), x.size(1)};
    int64_t tokens = 1, patchDim = x.size(1);
    for (int64_t d = 0; d < dims; ++d) {
        split.push_back(x.size(2 + d) / patch_[size_t(d)]);
        split.push_back(patch_[size_t(d)]);
        tokens *= split[split.size() - 2];
        patchDim *= patch_[size_t(d)];
    }
    // (b, c, g0, p0, g1, p1, ...) -> (b, g0, g1, ..., p0, p1, ..., c)
    std::vector<int64_t> perm{0};
    for (int64_t d = 0; d < dims; ++d)
        perm.push_back(2 + 2 * d);
    for (int64_t d = 0; d < dims; ++d)
        perm.push_back(3 + 2 * d);
    perm.push_back(1);
    return x.reshape(split).permute(perm).reshape({x.size(0), tokens, patchDim});
}

PatchEmbeddingBlockImpl::PatchEmbeddingBlockImpl(const PatchEmbeddingOptions& o)
    : conv_(o.proj_type == "conv") {
    int64_t nPatches = 1, patchVolume = 1;
    for (int d = 0; d < o.spatial_dims; ++d) {
        nPatches *= o.img_size[size_t(d)] / o.patch_size[size_t(d)];
        patchVolume *= o.patch_size[size_t(d)];
    }
    if (conv_) {
        ConvSpec c;
        c.spatial_dims = o.spatial_dims;
        c.in_channels = o.in_channels;
        c.out_channels = o.hidden_size;
        c.kernel_size = o.patch_size;
        c.stride = o.patch_size;
        c.padding = std::vector<int64_t>(size_t(o.spatial_dims), 0);
        patchEmbeddings_ = makeConv(c);
    } else {
        Sequence seq;
        seq->push_back(PatchRearrange(o.patch_size));
        nn::Linear lin(nn::LinearOptions(o.in_channels * patchVolume, o.hidden_size));
        truncNormal(lin->weight, 0.02, -2.0, 2.0);
        torch::NoGradGuard guard;
        lin->bias.zero_();
        seq->push_back(lin);
        patchEmbeddings_ = nn::AnyModule(seq);
    }
    positionEmbeddings_ =
        register_parameter("position_embeddings", torch::zeros({1, nPatches, o.hidden_size}));
    truncNormal(positionEmbeddings_, 0.02, -2.0, 2.0);
    register_module("patch_embeddings", patchEmbeddings_.ptr());
    dropout_ = register_module("dropout", nn::Dropout(o.dropout_rate));
}

at::Tensor PatchEmbeddingBlockImpl::forward(at::Tensor x) {
    x = patchEmbeddings_.forward(x);
    if (conv_)
        x = x.flatten(2).transpose(-1, -2);
    return dropout_->forward(x + positionEmbeddings_);
}

MLPBlockImpl::MLPBlockImpl(int64_t hidden, int64_t mlpDim, double dropout) {
    if (mlpDim == 0)
        mlpDim = hidden;
    linear1_ = register_module("linear1", nn::Linear(hidden, mlpDim));
    linear2_ = register_module("linear2", nn::Linear(mlpDim, hidden));
    fn_ = nn::AnyModule(nn::GELU());
    register_module("fn", fn_.ptr());
    drop1_ = register_module("drop1", nn::Dropout(dropout));
    drop2_ = register_module("drop2", nn::Dropout(dropout));
}

at::Tensor MLPBlockImpl::forward(at::Tensor x) {
    x = drop1_->forward(fn_.forward(linear1_->forward(x)));
    return drop2_->forward(linear2_->forward(x));
}

SABlockImpl::SABlockImpl(int64_t hidden, int64_t heads, double dropout, bool qkvBias, bool saveAttn)
    : heads_(heads), dimHead_(hidden / heads), saveAttn_(saveAttn) {
    scale_ = std::pow(double(dimHead_), -0.5);
    const int64_t inner = dimHead_ * heads;
    outProj_ = register_module("out_proj", nn::Linear(inner, hidden));
    qkv_ = register_module("qkv", nn::Linear(nn::LinearOptions(hidden, inner * 3).bias(qkvBias)));
    dropOutput_ = register_module("drop_output", nn::Dropout(dropout));
    dropWeights_ = register_module("drop_weights", nn::Dropout(dropout));
}

at::Tensor SABlockImpl::forward(at::Tensor x) {
    const int64_t b = x.size(0), n = x.size(1);
    // "b h (qkv l d) -> qkv b l h d": (3, B, heads, N, dim_head)
    at::Tensor qkv = qkv_->forward(x).reshape({b, n, 3, heads_, dimHead_}).permute({2, 0, 3, 1, 4});
    at::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
    at::Tensor att = (torch::matmul(q, k.transpose(-1, -2)) * scale_).softmax(-1);
    if (saveAttn_)
        attMat_ = att.detach();
    att = dropWeights_->forward(att);
    // "b h l d -> b l (h d)"
    at::Tensor y = torch::matmul(att, v).permute({0, 2, 1, 3}).reshape({b, n, heads_ * dimHead_});
    return dropOutput_->forward(outProj_->forward(y));
}

TransformerBlockImpl::TransformerBlockImpl(int64_t hidden, int64_t mlpDim, int64_t heads,
                                           double dropout, bool qkvBias, bool saveAttn) {
    mlp_ = register_module("mlp", MLPBlock(hidden, mlpDim, dropout));
    norm1_ = register_module("norm1", nn::LayerNorm(nn::LayerNormOptions({hidden})));
    attn_ = register_module("attn", SABlock(hidden, heads, dropout, qkvBias, saveAttn));
    norm2_ = register_module("norm2", nn::LayerNorm(nn::LayerNormOptions({hidden})));
}

at::Tensor TransformerBlockImpl::forward(at::Tensor x) {
    x = x + attn_->forward(norm1_->forward(x));
    return x + mlp_->forward(norm2_->forward(x));
}

ViTImpl::ViTImpl(const ViTOptions& o) {
    const int64_t hidden = o.embedding.hidden_size;
    patchEmbedding_ = register_module("patch_embedding", PatchEmbeddingBlock(o.embedding));
    blocks_ = register_module("blocks", Sequence());
    for (int64_t i = 0; i < o.num_layers; ++i) {
        TransformerBlock blk(hidden, o.mlp_dim, o.num_heads, o.embedding.dropout_rate, o.qkv_bias,
                             o.save_attn);
        blocks_->push_back(blk);
        blockList_.push_back(blk);
    }
    norm_ = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({hidden})));
}

std::pair<at::Tensor, std::vector<at::Tensor>> ViTImpl::forward(at::Tensor x) {
    x = patchEmbedding_->forward(x);
    std::vector<at::Tensor> hidden;
    hidden.reserve(blockList_.size());
    for (auto& blk : blockList_) {
        x = blk->forward(x);
        hidden.push_back(x);
    }
    return {norm_->forward(x), std::move(hidden)};
}

} // namespace medulla::vit
