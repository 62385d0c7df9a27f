#pragma once
/// MONAI's ResidualUnit: "conv" = Sequential of `subunits` Convolution
/// blocks ("unit0", "unit1", ...; only the first is strided) plus a
/// "residual" path (identity, or a conv when stride or channels change).

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>

#include "engine/networks/Convolution.h"
#include "engine/networks/Sequence.h"

namespace medulla {

struct ResidualUnitOptions {
    /// in/out channels, strides, kernel, adn_ordering, act, norm, dropout,
    /// dropout_dim, dilation, bias, padding (groups, conv_only and
    /// is_transposed are not used).
    ConvolutionOptions conv;
    int64_t subunits = 2;
    bool last_conv_only = false;
};

class ResidualUnitImpl : public torch::nn::Module {
public:
    explicit ResidualUnitImpl(const ResidualUnitOptions& options);
    at::Tensor forward(at::Tensor x);

private:
    Sequence conv_;
    torch::nn::AnyModule residual_; ///< empty = identity
};
TORCH_MODULE(ResidualUnit);

} // namespace medulla
