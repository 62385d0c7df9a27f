#include "engine/core/Random.h"

#include <torch/torch.h>

namespace medulla {

void seedTorch(uint64_t seed) {
    torch::manual_seed(seed);
}

} // namespace medulla
