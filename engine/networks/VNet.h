#pragma once
/// MONAI's VNet (Milletari et al., 2016), 2D or 3D: 5x5(x5) convolutions
/// with batch norm, residual down/up transitions with fixed widths
/// 16-32-64-128-256. State-dict keys are MONAI's ("in_tr.conv_block.conv.weight",
/// "down_tr32.down_conv.weight", "up_tr256.ops.0.conv_block.adn.N.weight", ...).
/// As in MONAI 1.3.2, every dropout is Dropout3d (dropout_dim is recorded but
/// MONAI never passes it on), and up_tr64 / up_tr32 always carry
/// Dropout(0.5) on their skip input.
/// Input (B, in_channels, *spatial), each size a multiple of 16 ->
/// (B, out_channels, *spatial).

#include <torch/arg.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/dropout.h>

#include <optional>

#include "engine/networks/LayerSpec.h"
#include "engine/networks/Network.h"
#include "engine/networks/Sequence.h"

namespace medulla {

class VNetInputImpl;
class VNetDownImpl;
class VNetUpImpl;
class VNetOutputImpl;

struct VNetOptions {
    /// 2 or 3.
    TORCH_ARG(int64_t, spatial_dims) = 3;
    /// Must divide 16.
    TORCH_ARG(int64_t, in_channels) = 1;
    TORCH_ARG(int64_t, out_channels) = 1;
    /// "prelu" without arguments gets one parameter per channel (MONAI's rule
    /// for the plain string); with arguments it is built as given.
    TORCH_ARG(LayerSpec, act) = LayerSpec("elu", {{"inplace", true}});
    /// Dropout of down_tr128 / down_tr256 (nullopt: none).
    TORCH_ARG(std::optional<double>, dropout_prob_down) = 0.5;
    /// Dropout of up_tr256 / up_tr128 input (first, nullopt: none) and skip input (second).
    TORCH_ARG(std::optional<double>, dropout_prob_up_0) = 0.5;
    TORCH_ARG(double, dropout_prob_up_1) = 0.5;
    /// Recorded only: MONAI 1.3.2 does not pass it to the transitions (always 3).
    TORCH_ARG(int64_t, dropout_dim) = 3;
    TORCH_ARG(bool, bias) = false;
};

class VNetImpl : public Network {
public:
    /// ConfigError for bad dims, channels or dropout probabilities.
    explicit VNetImpl(VNetOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Network> fromJson(const Json& config, const std::string& context);

    at::Tensor forward(at::Tensor x) override;
    int64_t outChannels() const override { return options_.out_channels(); }
    /// 16: four down-samplings by 2.
    int64_t sizeDivisor() const override { return 16; }
    Json toJson() const override;
    const VNetOptions& options() const { return options_; }

private:
    VNetOptions options_;
    std::shared_ptr<VNetInputImpl> inTr_;
    std::vector<std::shared_ptr<VNetDownImpl>> down_; ///< down_tr32 ... down_tr256
    std::vector<std::shared_ptr<VNetUpImpl>> up_;     ///< up_tr256 ... up_tr32
    std::shared_ptr<VNetOutputImpl> outTr_;
};
TORCH_MODULE(VNet);

} // namespace medulla
