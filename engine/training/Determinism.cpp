#include "engine/training/Determinism.h"

#include <ATen/Context.h>

#include <cstdlib>

namespace medulla {

void setDeterministic(bool on) {
    if (on)
        ::setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", /*overwrite=*/0);
    at::globalContext().setDeterministicAlgorithms(on, /*warn_only=*/false);
    at::globalContext().setDeterministicCuDNN(on);
    at::globalContext().setBenchmarkCuDNN(false);
}

bool isDeterministic() {
    return at::globalContext().deterministicAlgorithms();
}

} // namespace medulla
