#include "engine/networks/WeightInit.h"

#include <torch/torch.h>

namespace medulla {
namespace nn = torch::nn;

void initClassifierWeights(nn::Module& net) {
    torch::NoGradGuard ng;
    for (const auto& m : net.modules(/*include_self=*/false)) {
        at::Tensor w;
        if (auto* c1 = m->as<nn::Conv1dImpl>())
            w = c1->weight;
        else if (auto* c2 = m->as<nn::Conv2dImpl>())
            w = c2->weight;
        else if (auto* c3 = m->as<nn::Conv3dImpl>())
            w = c3->weight;
        if (w.defined()) {
            nn::init::kaiming_normal_(w);
            continue;
        }
        at::Tensor bnWeight, bnBias;
        if (auto* b1 = m->as<nn::BatchNorm1dImpl>())
            bnWeight = b1->weight, bnBias = b1->bias;
        else if (auto* b2 = m->as<nn::BatchNorm2dImpl>())
            bnWeight = b2->weight, bnBias = b2->bias;
        else if (auto* b3 = m->as<nn::BatchNorm3dImpl>())
            bnWeight = b3->weight, bnBias = b3->bias;
        if (bnWeight.defined())
            bnWeight.fill_(1.0);
        if (bnBias.defined())
            bnBias.zero_();
        if (auto* l = m->as<nn::LinearImpl>())
            if (l->bias.defined())
                l->bias.zero_();
    }
}

} // namespace medulla
