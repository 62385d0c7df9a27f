#include "engine/losses/Loss.h"

namespace medulla {

at::Tensor Loss::masked(const at::Tensor&, const at::Tensor&, const at::Tensor&) const {
    const Json j = toJson();
    throw ConfigError(j.value("name", std::string("this loss")) +
                          " takes no mask (MaskedDiceLoss does)",
                      {}, "loss.name");
}

} // namespace medulla
