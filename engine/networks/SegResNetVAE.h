#pragma once
/// MONAI's SegResNetVAE: SegResNet plus a variational auto-encoder branch
/// that regularises the encoder in training ("vae_down", "vae_fc1..3",
/// "vae_fc_up_sample", "vae_conv_final"; same state-dict keys as MONAI).
/// forward returns the segmentation, (B, out_channels, *input_image_size).
/// In training it also computes MONAI's VAE loss (KL-like regulariser + MSE
/// of the reconstructed input), available from auxiliaryLoss() until the next
/// forward; in eval mode auxiliaryLoss() is undefined. Like MONAI, the
/// training pass draws Gaussian noise (torch::randn_like, from the global
/// generator), so the VAE loss is random; the segmentation is not.
/// Training inputs must have the spatial size input_image_size (the VAE's
/// linear layers are sized from it); each size a multiple of
/// 2^len(blocks_down).

#include "engine/networks/SegResNet.h"

namespace medulla {

struct SegResNetVAEOptions {
    /// The SegResNet part (norm_name / num_groups are not used).
    TORCH_ARG(SegResNetOptions, base) = {};
    TORCH_ARG(std::vector<int64_t>, input_image_size) = {};
    TORCH_ARG(bool, vae_estimate_std) = false;
    TORCH_ARG(double, vae_default_std) = 0.3;
    TORCH_ARG(int64_t, vae_nz) = 256;
};

class SegResNetVAEImpl : public SegResNetImpl {
public:
    explicit SegResNetVAEImpl(SegResNetVAEOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);

    at::Tensor forward(at::Tensor x) override;
    int64_t sizeDivisor() const override;
    Json toJson() const override;
    at::Tensor auxiliaryLoss() const override { return vaeLoss_; }
    const SegResNetVAEOptions& vaeOptions() const { return vae_; }

private:
    at::Tensor vaeLoss(const at::Tensor& input, const at::Tensor& features);

    SegResNetVAEOptions vae_;
    std::vector<int64_t> fcInSize_;
    Sequence vaeDown_{nullptr}, vaeUp_{nullptr}, vaeFinal_{nullptr};
    torch::nn::Linear fc1_{nullptr}, fc2_{nullptr}, fc3_{nullptr};
    at::Tensor vaeLoss_;
    static constexpr int64_t kSmallestFilters = 16;
};
TORCH_MODULE(SegResNetVAE);

} // namespace medulla
