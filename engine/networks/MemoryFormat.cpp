#include "engine/networks/MemoryFormat.h"

#include <ATen/Context.h>
#include <torch/torch.h>

namespace medulla {

bool preferChannelsLast(c10::Device device, int64_t inputDims) {
    return device.is_cpu() && inputDims == 5 && at::hasMKLDNN() &&
           at::globalContext().userEnabledMkldnn();
}

at::Tensor channelsLast(const at::Tensor& x) {
    if (x.dim() == 5)
        return x.contiguous(at::MemoryFormat::ChannelsLast3d);
    if (x.dim() == 4)
        return x.contiguous(at::MemoryFormat::ChannelsLast);
    return x;
}

void toChannelsLast(torch::nn::Module& net) {
    torch::NoGradGuard guard;
    for (auto& p : net.parameters(true))
        if (p.dim() == 4 || p.dim() == 5)
            p.set_data(channelsLast(p.data()));
    for (auto& b : net.buffers(true))
        if (b.dim() == 4 || b.dim() == 5)
            b.set_data(channelsLast(b.data()));
}

} // namespace medulla
