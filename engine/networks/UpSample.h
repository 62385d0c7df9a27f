#pragma once
/// MONAI's UpSample block (monai.networks.blocks.UpSample) and
/// SubpixelUpsample, with MONAI's child names so state-dict keys match:
///   "deconv"       transposed convolution (kernel = scale, or kernel_size with
///                  same padding), "deconvgroup" the grouped variant;
///   "nontrainable" optional 1x1 "preconv" + "upsample_non_trainable"
///                  interpolation (linear picks linear/bilinear/trilinear);
///   "pixelshuffle" "pixelshuffle" = SubpixelUpsample: "conv_block" (3x3 conv
///                  to out * scale^dims channels, ICNR initialised), pixel
///                  shuffle, then "pad_pool" (zero pad scale - 1 before, then
///                  an average pool of size scale, stride 1).
/// Input (B, in_channels, *spatial) -> (B, out_channels, *spatial * scale).

#include <torch/nn/modules/container/any.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/networks/Sequence.h"

namespace medulla {

struct UpSampleOptions {
    int spatial_dims = 3;
    int64_t in_channels = 0;  ///< 0: MONAI's None
    int64_t out_channels = 0; ///< 0: MONAI's None (= in_channels)
    /// One value or one per axis (integers; pixelshuffle uses the first).
    std::vector<int64_t> scale_factor{2};
    /// Empty: MONAI's None (kernel = scale, no padding).
    std::vector<int64_t> kernel_size;
    /// deconv, deconvgroup, nontrainable, pixelshuffle.
    std::string mode = "deconv";
    /// true: MONAI's pre_conv="default"; false: None.
    bool default_pre_conv = true;
    /// nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area.
    std::string interp_mode = "linear";
    std::optional<bool> align_corners = true;
    bool bias = true;
    bool apply_pad_pool = true;
};

/// Sequential of the children above; throws ConfigError naming `field`.
class UpSampleImpl : public SequenceImpl {
public:
    explicit UpSampleImpl(const UpSampleOptions& options, const std::string& field = "upsample");
    at::Tensor forward(at::Tensor x) { return SequenceImpl::forward(std::move(x)); }
};
TORCH_MODULE(UpSample);

/// MONAI's pixelshuffle(): (B, C * s^d, *spatial) -> (B, C, *spatial * s).
at::Tensor pixelShuffle(const at::Tensor& x, int spatialDims, int64_t scale);

/// MONAI's icnr_init on a convolution weight (out, in, *k), kaiming normal.
void icnrInit(at::Tensor weight, int64_t scale);

class SubpixelUpsampleImpl : public torch::nn::Module {
public:
    /// conv_block "default" when defaultConv, else none (identity).
    SubpixelUpsampleImpl(int spatialDims, int64_t inChannels, int64_t outChannels, int64_t scale,
                         bool defaultConv, bool applyPadPool, bool bias);
    at::Tensor forward(at::Tensor x);

private:
    int dims_;
    int64_t scale_;
    bool padPool_;
    torch::nn::AnyModule conv_;
};
TORCH_MODULE(SubpixelUpsample);

} // namespace medulla
