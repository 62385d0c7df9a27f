#include "engine/networks/ModuleAlias.h"

namespace medulla {

ModuleAliasImpl::ModuleAliasImpl(const torch::nn::Module& original,
                                 std::function<at::Tensor(at::Tensor)> forward)
    : forward_(std::move(forward)) {
    for (const auto& p : original.named_parameters(false))
        register_buffer(p.key(), p.value());
    for (const auto& b : original.named_buffers(false))
        if (b.value().defined())
            register_buffer(b.key(), b.value());
    for (const auto& c : original.named_children())
        register_module(c.key(), ModuleAlias(*c.value()));
}

} // namespace medulla
